#!/bin/bash
# ofnic-test: error paths: failed reconfiguration, RX out of buffers
# The driver's error paths, reached through its debugfs fault injection (Debian's kernels have
# no CONFIG_FAULT_INJECTION): a channel or ring change whose bring-up fails leaves the previous
# configuration running; when the previous one fails to come back too, the interface is closed
# (not left up without rings) and opens again; with every RX buffer allocation failing, NAPI
# does not spin (a work retries every 100 ms) and traffic resumes once allocations succeed.
# Run: tools/vm selftests/guest/recovery.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh

tap_plan 6
dmesg -C
ofnic_pair
[ -n "$CAPS" ] || exit 1
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
DBG=/sys/kernel/debug/ofnic/$(basename "$(readlink "/sys/class/net/$A/device")")

ping_ok() { ping -q -c2 -i0.2 -W2 "$REMOTE_V4" >/dev/null; }
rx_size() { ethtool -g "$A" | awk '/^Current/ { c = 1 } c && /^RX:/ { print $2; exit }'; }
is_up() { ip -o link show "$A" | grep -q '[<,]UP[,>]'; }

bad_ring_change() {	# the new rings fail to come up, the old ones come back
	local rc=0 before
	before=$(rx_size)
	echo 1 > "$DBG/fail_up"
	ethtool -G "$A" rx $((before / 2)) 2>&1 && { echo "ethtool -G succeeded"; rc=1; }
	echo "RX ring $before, asked $((before / 2)) with the bring-up failing: now $(rx_size)"
	[ "$(rx_size)" = "$before" ] || rc=1
	is_up || { echo "$A is not up"; rc=1; }
	ping_ok || { echo "no traffic on the previous configuration"; rc=1; }
	return "$rc"
}
tap_check "ethtool -G whose bring-up fails: the previous rings run" bad_ring_change

bad_restore() {	# neither comes up: closed, not up without rings; opens again
	local rc=0 n
	n=$(ethtool -l "$A" | awk '/^Current/ { c = 1 } c && /^Combined:/ { print $2; exit }')
	echo 2 > "$DBG/fail_up"
	ethtool -L "$A" combined $((n > 1 ? n - 1 : 2)) 2>&1 && { echo "ethtool -L succeeded"; rc=1; }
	if is_up; then
		echo "$A still up after the restore failed: $(ip -o link show "$A")"
		rc=1
	fi
	ip link set "$A" up || rc=1
	sleep 1
	ping_ok || { echo "no traffic after ip link set up"; rc=1; }
	echo "after the failed restore: closed; up again: $(ip -o link show "$A" | grep -o 'state [A-Z]*')"
	return "$rc"
}
tap_check "ethtool -L whose restore fails too: interface closed, opens again" bad_restore

no_buffers() {	# every allocation fails: A's ring empties, NAPI must not spin
	local rc=0 before after n fails
	fails=$(drv rx_alloc_failed)
	echo 100000000 > "$DBG/fail_rx_alloc"
	# B floods A for 2 s: A's posted buffers are used up and none come back
	rns timeout 2 ping -q -f -s 1000 "$LOCAL_V4" >/dev/null 2>&1
	sleep 0.5
	before=$(awk '/NET_RX/ { s = 0; for (i = 2; i <= NF; i++) s += $i; print s }' /proc/softirqs)
	sleep 2
	after=$(awk '/NET_RX/ { s = 0; for (i = 2; i <= NF; i++) s += $i; print s }' /proc/softirqs)
	n=$((after - before))
	echo "RX allocations failing: $n NET_RX softirqs in 2 s idle;" \
		"$(($(drv rx_alloc_failed) - fails)) allocation failures counted"
	# a retry every 100 ms: about 20; a NAPI that spins runs thousands of times a second
	[ "$n" -lt 200 ] || { echo "NAPI spins on the empty ring"; rc=1; }
	echo 0 > "$DBG/fail_rx_alloc"
	for n in $(seq 10); do
		rns ping -q -c1 -W1 "$LOCAL_V4" >/dev/null && break
	done
	echo "allocations succeed again: traffic after $n ping(s) of 1 s at most;" \
		"A's rings: $(ethtool -S "$A" | awk '/rx_hw_drops|rx_stalls/ && $2 > 0' | tr -s ' \n' ' ')"
	[ "$n" -lt 10 ] || { echo "no traffic after allocations came back"; rc=1; }
	no_warn || rc=1
	return "$rc"
}
tap_check "RX allocations failing: no NAPI spin, traffic resumes when they succeed" no_buffers

tap_run "no warnings, oopses or leaks in dmesg" no_warn
tap_done
