#!/bin/bash
# ofnic-test: robustness
# In-guest robustness test (TAP). Port B is unbound from the driver and ofnic_poke.py drives the
# device directly from user space, doing every malformed thing a guest can: bad ring sizes,
# tails, bases and buffer sizes, broken descriptor chains, DMA to unmapped memory, across 2^64
# and into the device itself, bad vectors, unassigned and misaligned MMIO, doorbell storms.
# Each case must be logged by QEMU as a guest error (/ofnic-out/guest-errors.log), counted where
# the datasheet says so and survived, the device working normally right after it. Then the
# driver is bound to port B again and the two ports pass ping and iperf3.
# Run: tools/vm selftests/guest/robustness.sh [CASE...]   (ofnic_poke.py list: the cases)
set -u
. /ofnic/selftests/lib/guest.sh
POKE=/ofnic/selftests/guest/ofnic_poke.py
LOG=/ofnic-out/guest-errors.log
CASE_TIMEOUT=120
export IPERF_SECS=${IPERF_SECS:-3}

mapfile -t CASES < <(python3 "$POKE" list)
if [ $# -gt 0 ]; then
	mapfile -t CASES < <(printf '%s\n' "${CASES[@]}" | grep -E "^($(IFS='|'; echo "$*"))"$'\t')
fi
tap_plan $((${#CASES[@]} + 10))
dmesg -C
# The device keeps the physical addresses of ofnic_poke.py's locked pages: no migration.
compact=$(sysctl -n vm.compact_unevictable_allowed 2>/dev/null)
sysctl -qw vm.compact_unevictable_allowed=0 2>/dev/null

tap_run "load ofnic" load_driver ofnic
wait_ifaces ofnic 2
mapfile -t IFS_ < <(nic_ifaces ofnic)
A=${IFS_[0]:-}
B=${IFS_[1]:-}
BDF=""
[ -n "$B" ] && BDF=$(basename "$(readlink -f "/sys/class/net/$B/device")")
tap_ok "$([ -n "$A" ] && [ -n "$BDF" ] && [ -f "$LOG" ]; echo $?)" \
	"two ofnic ports (${IFS_[*]}), port B at ${BDF:-?}, guest-error log visible"
if [ -z "$A" ] || [ -z "$BDF" ] || [ ! -f "$LOG" ]; then
	ls -l /ofnic-out | tap_diag
	dmesg | tail -n 20 | tap_diag
	exit 1
fi
echo "# port A $A stays with the driver; port B $B ($BDF) is unbound for the cases"

unbind_b() {
	echo "$BDF" > /sys/bus/pci/drivers/ofnic/unbind || return 1
	[ ! -e "/sys/bus/pci/devices/$BDF/driver" ] || { echo "still bound"; return 1; }
	echo 1 > "/sys/bus/pci/devices/$BDF/enable"
}
tap_run "unbind the driver from port B and enable the PCI function" unbind_b

# The cases that need frames from the wire get them from port A; keep A quiet otherwise
# (no IPv6, so no router solicitations or MLD reports on the hub).
peer_up() {
	sysctl -qw "net.ipv6.conf.$A.disable_ipv6=1"
	ip link set "$A" up && wait_carrier "$A"
}
peer_down() {
	ip link set "$A" down
	sysctl -qw "net.ipv6.conf.$A.disable_ipv6=0"
}

run_case() {	# run_case NAME DESCRIPTION: one TAP line; the case's report as diagnostics
	local name=$1 desc=$2 out rc peer=()
	if [[ $name == *_wire ]]; then
		peer_up || echo "# $A has no carrier"
		peer=(--peer "$A")
	fi
	out=$(timeout "$CASE_TIMEOUT" python3 "$POKE" --bdf "$BDF" "${peer[@]}" run "$name" 2>&1) &&
		rc=0 || rc=$?
	[ ${#peer[@]} = 0 ] || peer_down
	case $rc in
	0) tap_ok 0 "$name: $desc" ;;
	77) tap_skip "$name: $desc" "$(printf '%s\n' "$out" | sed -n 's/^SKIP: //p' | head -n1)" ;;
	124) tap_ok 1 "$name: $desc"
	     out+=$'\n'"FAIL: no result within $CASE_TIMEOUT s: the device (or guest) hangs" ;;
	*) tap_ok 1 "$name: $desc" ;;
	esac
	printf '%s\n' "$out" | grep -v '^SKIP: ' | tail -n 30 | tap_diag
}

t0=$(date +%s)
for c in "${CASES[@]}"; do
	run_case "${c%%$'\t'*}" "${c#*$'\t'}"
done
echo "# ${#CASES[@]} cases in $(($(date +%s) - t0)) s"

# Normal life again: quiet device, driver bound, traffic both ways, and no guest error from it.
rebind_b() {
	python3 "$POKE" --bdf "$BDF" quiesce || return 1
	echo 0 > "/sys/bus/pci/devices/$BDF/enable"
	echo "$BDF" > /sys/bus/pci/drivers/ofnic/bind || return 1
	wait_ifaces ofnic 2 || { echo "port B did not come back"; return 1; }
}
tap_run "reset port B and bind the driver to it again" rebind_b
mapfile -t IFS_ < <(nic_ifaces ofnic)
A=${IFS_[0]:-}
B=${IFS_[1]:-}
log_mark=$(stat -c %s "$LOG")
tap_run "wire $A <-> $B (B in netns $REMOTE_NS)" setup_pair "$A" "$B"
tap_run "ping IPv4 A -> B" ping -c3 -i0.2 -W2 "$REMOTE_V4"
tap_run "ping IPv6 B -> A" ip netns exec "$REMOTE_NS" ping -6 -c3 -i0.2 -W2 "$LOCAL_V6"
m=$(iperf_mbps)
tap_ok "$([ "${m:-0}" -gt 0 ]; echo $?)" "iperf3 A -> B after the cases (${m:-0} Mbit/s)"
new=$(tail -c +"$((log_mark + 1))" "$LOG")
[ -z "$new" ] || printf '%s\n' "$new" | head -n 10 | tap_diag
tap_ok "$([ -z "$new" ]; echo $?)" "no guest error logged by normal traffic afterwards"
teardown_pair "$A"

[ -z "$compact" ] || sysctl -qw "vm.compact_unevictable_allowed=$compact"

bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
