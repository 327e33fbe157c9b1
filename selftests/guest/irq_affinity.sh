#!/bin/bash
# ofnic-test: queue interrupt affinity (one CPU per queue, spread; kept across -L and down/up)
# Each queue's MSI-X interrupt starts on one CPU, queue i on CPU i mod ncpus (the core's
# netif_set_affinity_auto() spread), and an affinity the user writes to /proc/irq/N stays after
# ethtool -L and after the interface goes down and up (the NAPI config keeps it). On kernels
# before 6.15 the core does not manage queue IRQ affinity: those cases skip, saying so.
# Run: tools/vm [--kernel 7.3] [--smp N] selftests/guest/irq_affinity.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
tap_plan 8
dmesg -C

ofnic_pair
NCPU=$(nproc)
# irq_of QUEUE: the IRQ number of "$A-QUEUE" in /proc/interrupts
irq_of() { awk -v n="$A-$1" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts; }
aff() { cat "/proc/irq/$1/smp_affinity_list"; }
# ethtool -l (no JSON in ethtool 6.14): the first "Combined:" is the maximum, the second current
nqueues() { ethtool -l "$A" | awk '/^Combined:/ { v = $2 } END { print v + 0 }'; }
maxqueues() { ethtool -l "$A" | awk '/^Combined:/ { print $2; exit }'; }

kmaj=$(uname -r | cut -d. -f1) kmin=$(uname -r | cut -d. -f2)
managed=1
[ "$kmaj" -gt 6 ] || { [ "$kmaj" = 6 ] && [ "$kmin" -ge 15 ]; } || managed=0

spread() {	# each queue's IRQ on exactly one CPU, queue i on CPU i mod ncpus
	local q n rc=0 irq a
	n=$(nqueues)
	[ "$n" -ge 1 ] || { echo "no queues read from ethtool -l"; return 1; }
	for ((q = 0; q < n; q++)); do
		irq=$(irq_of "$q")
		[ -n "$irq" ] || { echo "no IRQ named $A-$q"; rc=1; continue; }
		a=$(aff "$irq")
		echo "queue $q: IRQ $irq on CPU(s) $a"
		[ "$a" = $((q % NCPU)) ] || { echo "queue $q: want CPU $((q % NCPU))"; rc=1; }
	done
	return "$rc"
}

# keeps NAME CMD...: set the last queue's IRQ to a CPU other than its own, run CMD, check it stayed
keeps() {
	local name=$1 irq old new rc=0 n
	shift
	n=$(nqueues)
	irq=$(irq_of $((n - 1)))
	[ -n "$irq" ] || { echo "no IRQ named $A-$((n - 1))"; return 1; }
	old=$(aff "$irq")
	new=$(((old + 1) % NCPU))
	echo "$new" > "/proc/irq/$irq/smp_affinity_list" || { echo "writing IRQ $irq affinity failed"; return 1; }
	"$@" || { echo "$name failed"; rc=1; }
	irq=$(irq_of $((n - 1)))
	echo "after $name: IRQ $irq on CPU(s) $(aff "$irq") (set: $new, was $old)"
	[ "$(aff "$irq")" = "$new" ] || rc=1
	echo "$old" > "/proc/irq/$irq/smp_affinity_list"
	return "$rc"
}
reconf_queues() {
	local cur max
	cur=$(nqueues)
	max=$(maxqueues)
	ethtool -L "$A" combined 1 && ethtool -L "$A" combined "$max" && ethtool -L "$A" combined "$cur"
}
down_up() { ip link set "$A" down && ip link set "$A" up; }

if [ "$NCPU" -lt 2 ]; then
	for c in "queue IRQs spread one CPU each" "affinity kept across ethtool -L" \
		"affinity kept across down/up" "queue IRQs spread after the changes"; do
		tap_skip "$c" "one CPU: nothing to spread (tools/vm --smp 2 or more)"
	done
elif [ "$managed" = 0 ]; then
	for c in "queue IRQs spread one CPU each" "affinity kept across ethtool -L" \
		"affinity kept across down/up" "queue IRQs spread after the changes"; do
		tap_skip "$c" "Linux $(uname -r) < 6.15: the core does not manage queue IRQ affinity"
	done
else
	tap_check "queue IRQs spread one CPU each" spread
	tap_check "affinity kept across ethtool -L (1, max, back)" keeps "ethtool -L" reconf_queues
	tap_check "affinity kept across down/up" keeps "down/up" down_up
	tap_check "queue IRQs spread after the changes" spread
fi

teardown_pair "$A"
tap_run "unload ofnic" rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
