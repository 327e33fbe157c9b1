#!/bin/bash
# ofnic-test: 802.3x flow control
# Flow control as ethtool drives it (-a/-A, --include-statistics) on two ofnic ports: off by
# default and never autonegotiated; -A reaches the device (FC_CTRL in the register dump) and
# survives down/up and a channel change; PAUSE frames B sends are counted by A (the netlink pause
# statistics and ethtool -S agree) and never reach A's stack, other MAC control frames are
# dropped and counted; with flow control on both ways traffic still flows and every PAUSE one
# port sends is counted by the other. Timing (TX held for pause_time, PAUSE sent while RX waits
# for buffers) is exact only under qtest's clock: selftests/device/flow_control.py.
# Run: tools/vm selftests/guest/pause.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
MACCTL=/ofnic/selftests/lib/macctl.py

tap_plan 12
dmesg -C
ofnic_pair
[ -n "$CAPS" ] || exit 1

# reg OFF: one register from A's dump (ethtool -d raw: (offset, value) pairs), hex
reg() {
	ethtool -d "$A" raw on | python3 -c '
import struct, sys
for off, val in struct.iter_unpack("<II", sys.stdin.buffer.read()):
    print("%x %x" % (off, val))' | awk -v o="$1" '$1 == o { print $2 }'
}
# pause_is DEV NS|- AUTONEG RX TX: ethtool -a as expected
pause_is() {
	local pre=() out
	[ "$2" = - ] || pre=(ip netns exec "$2")
	out=$("${pre[@]}" ethtool -a "$1") || return 1
	echo "$out"
	[ "$(awk '/^Autonegotiate:/ { a = $2 } /^RX:/ { r = $2 } /^TX:/ { t = $2 } END { print a, r, t }' \
		<<< "$out")" = "$3 $4 $5" ]
}
# pstat DEV NS|- rx|tx: the netlink pause statistics (ethtool -I -a)
pstat() {
	local pre=()
	[ "$2" = - ] || pre=(ip netns exec "$2")
	"${pre[@]}" ethtool -I -a "$1" | awk -v k="$3_pause_frames:" '$1 == k { print $2 }'
}
sstat() { ethtool -S "$A" | awk -v n="$1:" '$1 == n { print $2 }'; }

tap_check "-a: off both ways, no autonegotiation, by default" pause_is "$A" - off off off
tap_run "link modes: Pause and Asym_Pause supported" bash -c \
	"ethtool $A | grep -E 'Supported pause frame use: +Symmetric Receive-only'"
tap_ok "$(ethtool -A "$A" autoneg on 2>/dev/null; [ $? != 0 ]; echo $?)" "-A autoneg on is refused"

on_both() {
	ethtool -A "$A" rx on tx on || return 1
	pause_is "$A" - off on on || return 1
	[ "$(reg 64)" = 3 ] || { echo "FC_CTRL in the dump: $(reg 64), want 3"; return 1; }
}
tap_check "-A rx on tx on: -a and FC_CTRL in the register dump agree" on_both

from_b() {	# 20 PAUSE frames B -> A: counted by A, not seen by A's stack
	local r0 s0 r1 s1 seen
	r0=$(pstat "$A" - rx) s0=$(sstat rx_pause_frames)
	python3 "$MACCTL" sniff "$A" 3 > /tmp/pause-seen &
	sleep 0.5
	rns python3 "$MACCTL" send "$B" 20 1 1 || return 1
	wait
	seen=$(cat /tmp/pause-seen)
	r1=$(pstat "$A" - rx) s1=$(sstat rx_pause_frames)
	echo "rx_pause_frames: netlink $r0 -> $r1, ethtool -S $s0 -> $s1; A's stack saw $seen"
	[ $((r1 - r0)) = 20 ] && [ $((s1 - s0)) = 20 ] && [ "$seen" = 0 ]
}
tap_check "20 PAUSE frames from B: A counts 20 (netlink and -S), its stack sees none" from_b

pfc_from_b() {	# priority flow control (opcode 0x0101) is MAC control but not PAUSE
	local d0 d1 p0 p1
	d0=$(sstat rx_drop_mac_control) p0=$(sstat rx_pause_frames)
	rns python3 "$MACCTL" send "$B" 5 0x0101 0xffff || return 1
	sleep 0.5
	d1=$(sstat rx_drop_mac_control) p1=$(sstat rx_pause_frames)
	echo "rx_drop_mac_control $d0 -> $d1, rx_pause_frames $p0 -> $p1"
	[ $((d1 - d0)) = 5 ] && [ "$p1" = "$p0" ]
}
tap_check "5 PFC frames from B: rx_drop_mac_control 5, not PAUSE" pfc_from_b

both_ways() {	# flow control on at both ends: traffic flows, every PAUSE sent is received
	local mbps
	rns ethtool -A "$B" rx on tx on || return 1
	mbps=$(iperf_mbps -P 4) || return 1
	echo "A -> B: $mbps Mbit/s"
	mbps=$(iperf_mbps_rev -P 4) || return 1
	echo "B -> A: $mbps Mbit/s"
	sleep 1
	echo "A sent $(pstat "$A" - tx), B received $(pstat "$B" "$REMOTE_NS" rx) (less the 20 B sent" \
		"before: B sent $(pstat "$B" "$REMOTE_NS" tx), A received $(pstat "$A" - rx) less 20)"
	[ "$(pstat "$A" - tx)" = "$(pstat "$B" "$REMOTE_NS" rx)" ] &&
		[ "$(pstat "$B" "$REMOTE_NS" tx)" = "$(($(pstat "$A" - rx) - 20))" ]
}
tap_check "both ends on: iperf3 both ways, each port's PAUSE frames counted by the other" both_ways

keeps() {
	ip link set "$A" down && ip link set "$A" up || return 1
	ethtool -L "$A" combined 1 || return 1
	wait_carrier "$A" || return 1
	pause_is "$A" - off on on || return 1
	[ "$(reg 64)" = 3 ] || { echo "FC_CTRL in the dump: $(reg 64), want 3"; return 1; }
	wait_reachable "$REMOTE_V4" "$A"
}
tap_check "down/up and ethtool -L keep flow control on" keeps

off_both() {
	ethtool -A "$A" rx off tx off && rns ethtool -A "$B" rx off tx off || return 1
	pause_is "$A" - off off off || return 1
	[ "$(reg 64)" = 0 ] || { echo "FC_CTRL in the dump: $(reg 64), want 0"; return 1; }
}
tap_check "-A rx off tx off: FC_CTRL 0" off_both

bad=$(dmesg_bad)
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
[ -z "$bad" ] || printf '%s\n' "$bad" | tap_diag
teardown_pair "$A"
tap_done
