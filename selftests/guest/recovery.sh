#!/bin/bash
# ofnic-test: error paths: failed reconfiguration, RX out of buffers
# The driver's error paths, reached through its debugfs fault injection (Debian's kernels have
# no CONFIG_FAULT_INJECTION): a channel or ring change whose bring-up fails leaves the previous
# configuration running; when the previous one fails to come back too, the interface is closed
# (not left up without rings) and opens again; with every RX buffer allocation failing, NAPI
# does not spin (a work retries every 100 ms) and traffic resumes once allocations succeed.
# The link statistics (ip -s link: ndo_get_stats64) hold what the device dropped: frames for a
# queue without buffers (rx_missed_errors) and frames too long for the port (rx_length_errors,
# in rx_errors), from the cache the driver's service task refreshes every second. A device
# that keeps reporting ring errors gets one restart a second, not a restart storm.
# Run: tools/vm selftests/guest/recovery.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh

tap_plan 9
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

lstat() { cat "/sys/class/net/$A/statistics/$1"; }
# wait_stat FILE EXPECTED [NS]: the link counter reaches EXPECTED within 5 s (the cache is
# refreshed every second); prints what it read
wait_stat() {
	local i v
	for i in $(seq 25); do
		v=$(${3:+ip netns exec "$3"} cat "/sys/class/net/${4:-$A}/statistics/$1")
		[ "$v" = "$2" ] && break
		sleep 0.2
	done
	echo "$v"
	[ "$v" = "$2" ]
}
# A's own frames looped back into a ring of 64 that gets no buffer back: the device drops what
# finds no buffer (rx_no_buffer_drops, part of rx_hw_drops), which the link counts as missed
# (rx_missed_errors), not as allocation failures; its other drops and the driver's are
# rx_dropped. The frames are IPv4 headers of version 0: the stack drops them in ip_rcv
# (InHdrErrors), not in the link's rx_dropped.
device_rx_drops() {
	local rc=0 ring lb0 hw0 nb0 drv0 l0 m0 lb hw nb drv l m i
	ring=$(rx_size)
	ethtool -G "$A" rx 64 || return 1
	sleep 0.5
	lb0=$(hwstat tx_loopback_frames)
	hw0=$(qsum "" rx_hw_drops) nb0=$(qsum "" rx_no_buffer_drops) drv0=$(drv rx_dropped)
	l0=$(lstat rx_dropped) m0=$(lstat rx_missed_errors)
	echo 100000000 > "$DBG/fail_rx_alloc"
	ethtool -K "$A" loopback on || rc=1
	python3 -c '
import socket, sys
dev, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
for _ in range(400):
    s.send(mac + mac + b"\x08\x00" + bytes(100))
' "$A" "$(cat "/sys/class/net/$A/address")" || rc=1
	# every frame looped before loopback goes off (after, the rest would go to the wire)
	for i in $(seq 50); do
		lb=$(($(hwstat tx_loopback_frames) - lb0))
		[ "$lb" -ge 400 ] && break
		sleep 0.1
	done
	ethtool -K "$A" loopback off
	echo 0 > "$DBG/fail_rx_alloc"
	hw=$(($(qsum "" rx_hw_drops) - hw0)) nb=$(($(qsum "" rx_no_buffer_drops) - nb0))
	drv=$(($(drv rx_dropped) - drv0))
	m=$(($(wait_stat rx_missed_errors $((m0 + nb))) - m0))
	l=$(($(wait_stat rx_dropped $((l0 + hw - nb + drv))) - l0))
	echo "400 frames sent, $lb looped into a ring of 64: the device dropped $hw ($nb without" \
		"a buffer), the driver $drv; ip -s link: rx_missed_errors +$m, rx_dropped +$l"
	[ "$lb" = 400 ] || { echo "not every frame was looped back"; rc=1; }
	# a ring of 64 posts at most 63 buffers, and none comes back
	[ "$nb" -ge 337 ] || { echo "the device did not drop what found no buffer"; rc=1; }
	[ "$m" = "$nb" ] || { echo "rx_missed_errors is not the device's no-buffer drops"; rc=1; }
	[ "$l" = $((hw - nb + drv)) ] || { echo "rx_dropped is not the device's other drops plus the driver's"; rc=1; }
	ethtool -G "$A" rx "$ring" || rc=1
	wait_reachable "$REMOTE_V4" "$A" || rc=1
	return "$rc"
}
if has_cap 23; then	# OFNIC_CAP_LOOPBACK
	tap_check "ip -s link: the device's drops, no-buffer ones as missed" device_rx_drops
else
	tap_skip "ip -s link: the device's drops, no-buffer ones as missed" "no OFNIC_CAP_LOOPBACK"
fi

too_long() {	# A's MTU 3000, B's 1500: B's MAC refuses the frames, its link counters say so
	local rc=0 len0 err0 len err
	len0=$(rns cat "/sys/class/net/$B/statistics/rx_length_errors")
	err0=$(rns cat "/sys/class/net/$B/statistics/rx_errors")
	ip link set "$A" mtu 3000 || return 1
	ping -q -c5 -i0.2 -W1 -s 2000 "$REMOTE_V4" >/dev/null 2>&1
	ip link set "$A" mtu 1500 || rc=1
	len=$(($(wait_stat rx_length_errors $((len0 + 5)) "$REMOTE_NS" "$B") - len0))
	err=$(($(rns cat "/sys/class/net/$B/statistics/rx_errors") - err0))
	echo "5 frames of 2042 bytes to a port of MTU 1500: rx_length_errors +$len, rx_errors +$err"
	[ "$len" = 5 ] && [ "$err" = 5 ] || rc=1
	wait_reachable "$REMOTE_V4" "$A" || rc=1
	return "$rc"
}
tap_check "ip -s link: frames too long for the port in rx_length_errors" too_long

# RX queue 0's TAIL written past its ring every 10 ms for 3 s (debugfs ring_error: the driver
# writes it, as a bug would): the device stops the queue and reports a ring error, each restart
# re-enables the queue and the next write stops it again. The driver restarts at most once a
# second (t = 0, 1, 2, 3 and one after the last write: 5 at most), not as fast as it can, and
# each report is one restart.
ring_errors() {
	local rc=0 writes=0 err0 err restarts logged end
	err0=$(ethtool -S "$A" | awk '$1 == "ring_errors:" { print $2 }')
	dmesg -C
	end=$(($(date +%s%N) + 3000000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		echo 0 > "$DBG/ring_error" 2>/dev/null && writes=$((writes + 1))
		sleep 0.01
	done
	sleep 1.5	# the last restart, a second after the one before
	err=$(($(ethtool -S "$A" | awk '$1 == "ring_errors:" { print $2 }') - err0))
	restarts=$(dmesg | grep -c "restarting the queues")
	logged=$(dmesg | grep -c "stopped on a ring error")
	echo "$writes bad TAIL writes in 3 s: $err ring errors, $restarts restarts, $logged logged"
	dmesg -C	# these restarts were asked for: not a failure of the final dmesg check
	[ "$restarts" -ge 3 ] && [ "$restarts" -le 5 ] || { echo "not one restart a second"; rc=1; }
	[ "$err" = "$restarts" ] || { echo "not one restart per ring error"; rc=1; }
	# the message is rate-limited (net_ratelimit(), shared with the rest of the stack)
	[ "$logged" -ge 1 ] && [ "$logged" -le "$err" ] || { echo "ring errors not logged"; rc=1; }
	wait_reachable "$REMOTE_V4" "$A" || rc=1
	return "$rc"
}
tap_check "ring errors reported again and again: one restart a second at most" ring_errors

tap_run "no warnings, oopses or leaks in dmesg" no_warn
tap_done
