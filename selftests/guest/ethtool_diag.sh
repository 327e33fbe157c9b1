#!/bin/bash
# ofnic-test: ethtool diagnostics
# ethtool's diagnostic views of an ofnic port, checked against what the port is doing:
#  - -d: the register dump ((offset, value) pairs) has the ID, queue count, link state and
#    speed, station address, ring sizes of the device as ethtool -l/-g and ip show them;
#  - -t online: the link test; -t offline: register and loopback tests pass, the interface
#    comes back with its configuration (features, RSS key, coalescing, rings) and carries
#    traffic, also when run under iperf3, on a port that is down, and five times in a row;
#  - -S --groups eth-mac: the IEEE 802.3 counters follow the traffic;
#  - link settings: speed and duplex as the device reports them;
#  - the netdev netlink family (ynl): every RX and TX queue linked to a NAPI instance with its
#    interrupt, as many queues as ethtool -l says.
# Run: tools/vm selftests/guest/ethtool_diag.sh
. /ofnic/selftests/lib/guest.sh

tap_plan 23
dmesg -C
tap_run "load ofnic" load_driver ofnic
wait_ifaces ofnic 2
mapfile -t IFS_ < <(nic_ifaces ofnic)
A=${IFS_[0]:-}
B=${IFS_[1]:-}
[ -n "$A" ] && [ -n "$B" ] || { echo "Bail out! two ofnic ports needed"; exit 1; }
tap_run "wire $A <-> $B" setup_pair "$A" "$B"

# ---- -d ---------------------------------------------------------------------------------------
# regs: the dump as "offset value" lines (hex)
regs() {
	ethtool -d "$A" raw on | python3 -c '
import struct, sys
b = sys.stdin.buffer.read()
for off, val in struct.iter_unpack("<II", b):
    print("%x %x" % (off, val))'
}
reg() { regs | awk -v o="$1" '$1 == o { print $2 }'; }
dump_check() {
	local q rx tx mac speed lo hi want n
	# ethtool has no JSON for -l and -g
	q=$(ethtool -l "$A" | awk '/^Combined:/ { print $2; exit }')
	rx=$(ethtool -g "$A" | awk '/^Current/ { c = 1 } c && /^RX:/ { print $2; exit }')
	tx=$(ethtool -g "$A" | awk '/^Current/ { c = 1 } c && /^TX:/ { print $2; exit }')
	mac=$(cat "/sys/class/net/$A/address")
	speed=$(ethtool "$A" | awk '/Speed:/ { print $2 }')
	n=$(regs | wc -l)
	# globals, tunnel ports, each RSS context's CTRL and FIELDS, 17 per queue
	want=$((26 + $(datasheet TUNNEL_PORTS) + 2 * $(datasheet RSS_MAX_CONTEXTS) + $((16#$(reg 10))) * 17))
	echo "$n registers; ID $(reg 0), queues $(reg 10), CTRL $(reg 40), STATUS $(reg 44)," \
		"MAC $(reg 58)/$(reg 5c), TXQ0 size $(reg 8008), RXQ0 size $(reg 8088)"
	[ "$n" = "$want" ] || { echo "dump has $n registers, want $want"; return 1; }
	[ "$(reg 0)" = 434e464f ] || { echo "ID register wrong"; return 1; }
	[ $((16#$(reg 10))) -ge "$q" ] || { echo "QUEUES < ethtool -l maximum $q"; return 1; }
	[ $((16#$(reg 40) & 2)) = 2 ] || { echo "CTRL.ENABLE clear on an up interface"; return 1; }
	[ $((16#$(reg 44) & 1)) = 1 ] || { echo "STATUS.LINK_UP clear"; return 1; }
	[ "$(($((16#$(reg 44))) >> 16))00Mb/s" = "$speed" ] ||
		{ echo "STATUS speed differs from ethtool's $speed"; return 1; }
	lo=$(printf '%08x' $((16#$(reg 58))))
	hi=$(printf '%04x' $((16#$(reg 5c))))
	[ "${lo:6:2}:${lo:4:2}:${lo:2:2}:${lo:0:2}:${hi:2:2}:${hi:0:2}" = "$mac" ] ||
		{ echo "MAC registers differ from $mac"; return 1; }
	[ $((16#$(reg 8008))) = "$tx" ] && [ $((16#$(reg 8088))) = "$rx" ] ||
		{ echo "ring sizes differ from ethtool -g ($tx/$rx)"; return 1; }
}
tap_check "-d: register dump matches the port (ID, queues, link, speed, MAC, rings)" dump_check
tap_run "-d: hex dump prints" ethtool -d "$A"

# ---- -t ---------------------------------------------------------------------------------------
# selftest MODE: runs ethtool -t, prints its output; fails unless PASS with every result 0
selftest() {
	local out rc
	out=$(ethtool -t "$A" "$1" 2>&1) && rc=0 || rc=$?
	echo "$out"
	[ "$rc" = 0 ] && grep -q 'The test result is PASS' <<<"$out" &&
		! grep -E '(test|Test).*\)\s+[1-9]' <<<"$out"
}
cfg() { ethtool -k "$A"; ethtool -x "$A"; ethtool -c "$A"; ethtool -g "$A"; ethtool -l "$A"; }
tap_check "-t online: link test passes" selftest online
out=$(ethtool -t "$A" online)
tap_ok "$(grep -cE '^(Register|Loopback|Link) test' <<<"$out" | grep -qx 3; echo $?)" "-t lists three tests (register, link, loopback)"
ethtool -K "$A" rx-gro-hw on 2>/dev/null
ethtool -X "$A" hkey "$(seq 101 140 | xargs printf '%02x:' | sed 's/:$//')"
ethtool -C "$A" rx-usecs 7 2>/dev/null
before=$(cfg)
tx0=$(reg 8008)
tap_check "-t offline: register and loopback tests pass" selftest offline
tap_ok "$([ "$(cfg)" = "$before" ]; echo $?)" "-t offline: features, RSS key, coalescing, rings, channels kept"
tap_run "-t offline: traffic flows afterwards" ping -c3 -i0.2 -W2 "$REMOTE_V4"
lb0=$(ethtool -S "$A" | awk '$1 == "tx_loopback_frames:" { print $2 }')
ethtool -t "$A" offline >/dev/null
lb1=$(ethtool -S "$A" | awk '$1 == "tx_loopback_frames:" { print $2 }')
tap_ok "$([ $((lb1 - lb0)) = 8 ]; echo $?)" "-t offline: the device looped back 8 frames ($((lb1 - lb0)))"

ip netns exec "$REMOTE_NS" iperf3 -s -1 -D -B "$REMOTE_V4" --pidfile /tmp/iperf3-diag.pid >/dev/null 2>&1
sleep 0.3
iperf3 -c "$REMOTE_V4" -t 8 -J > /tmp/iperf3-diag.json 2>&1 &
ipid=$!
sleep 2
tap_check "-t offline under iperf3: passes" selftest offline
wait $ipid
m=$(jq -r '(.end.sum_received.bits_per_second // 0) / 1e6 | floor' /tmp/iperf3-diag.json 2>/dev/null)
tap_ok "$([ "${m:-0}" -gt 0 ]; echo $?)" "-t offline under iperf3: the transfer completes ($m Mbit/s)"
m=$(IPERF_SECS=2 iperf_mbps)
tap_ok "$([ "${m:-0}" -gt 0 ]; echo $?)" "iperf3 after the test ($m Mbit/s)"

ip link set "$A" down
tap_check "-t offline on a port that is down: passes" selftest offline
tap_ok "$(ip -br link show "$A" | grep -q DOWN; echo $?)" "the port stays down"
ip link set "$A" up
wait_carrier "$A"
tap_run "up again: traffic flows" ping -c3 -i0.2 -W2 "$REMOTE_V4"
fails=0
for i in 1 2 3 4 5; do selftest offline >/dev/null || fails=$((fails + 1)); done
tap_ok "$fails" "-t offline five times in a row ($fails failed)"
tap_ok "$([ "$(reg 8008)" = "$tx0" ]; echo $?)" "TX ring 0 size as before the tests"

# ---- eth-mac counters, link settings ------------------------------------------------------------
macstat() { ethtool --json -S "$A" --groups eth-mac | jq ".[0][\"eth-mac\"][\"$1\"]"; }
mac_check() {
	local r0 t0 r1 t1
	r0=$(macstat FramesReceivedOK) t0=$(macstat FramesTransmittedOK)
	ping -q -c20 -i0.05 -W2 "$REMOTE_V4" >/dev/null || return 1
	r1=$(macstat FramesReceivedOK) t1=$(macstat FramesTransmittedOK)
	echo "FramesReceivedOK +$((r1 - r0)), FramesTransmittedOK +$((t1 - t0)) for 20 pings"
	[ $((r1 - r0)) -ge 20 ] && [ $((t1 - t0)) -ge 20 ] && [ "$(macstat OctetsReceivedOK)" -gt 0 ]
}
tap_check "-S --groups eth-mac: frames counted both ways" mac_check
link_check() {
	ethtool "$A" | grep -E 'Speed|Duplex|Port|Link detected'
	ethtool "$A" | grep -q 'Duplex: Full' && ethtool "$A" | grep -q 'Link detected: yes' &&
		ethtool "$A" | grep -qE 'Speed: [0-9]+Mb/s'
}
tap_check "link settings: speed, full duplex, link detected" link_check

YNL=/ofnic/out/kselftest/$(uname -r | cut -d. -f1-2)/net/lib/ynl
ynl_check() {
	local ifi q j
	ifi=$(cat "/sys/class/net/$A/ifindex")
	q=$(ethtool -l "$A" | awk '/^Current/ { c = 1 } c && /^Combined:/ { print $2; exit }')
	j=$(python3 "$YNL/cli.py" --spec "$YNL/../specs/netdev.yaml" --no-schema --output-json \
		--dump queue-get --json "{\"ifindex\": $ifi}") || return 1
	echo "$j" | jq -c '.[] | {type, id, "napi-id"}' | head -n 16
	[ "$(echo "$j" | jq '[.[] | select(.type == "rx")] | length')" = "$q" ] &&
		[ "$(echo "$j" | jq '[.[] | select(.type == "tx")] | length')" = "$q" ] &&
		[ "$(echo "$j" | jq '[.[] | select(."napi-id" == null)] | length')" = 0 ] || return 1
	j=$(python3 "$YNL/cli.py" --spec "$YNL/../specs/netdev.yaml" --no-schema --output-json \
		--dump napi-get --json "{\"ifindex\": $ifi}") || return 1
	echo "$j" | jq -c '.[] | {id, irq}'
	[ "$(echo "$j" | jq "[.[] | select(.irq != null)] | length")" = "$q" ]
}
if [ -f "$YNL/cli.py" ]; then
	tap_check "netlink (ynl): every RX and TX queue on a NAPI instance with its IRQ" ynl_check
else
	tap_skip "netlink (ynl): queues linked to NAPI instances" "no ynl CLI at $YNL (tools/build-selftests installs it)"
fi

teardown_pair "$A"
rmmod ofnic
log=$(cat /ofnic-out/guest-errors.log 2>/dev/null)
[ -z "$log" ] || printf '%s\n' "$log" | head -n 10 | tap_diag
tap_ok "$([ -z "$log" ]; echo $?)" "no guest error logged by the device"
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
