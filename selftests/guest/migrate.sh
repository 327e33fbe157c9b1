#!/bin/bash
# ofnic-vm-test: migrate (needs tools/vm --migrate, so selftests/guest/run.sh leaves it out)
# Live migration of two ofnic ports (TAP): with a configuration far from the defaults (jumbo
# MTU, 3 queues, RSS key and table, an ntuple rule, interrupt moderation, a feature off) and
# iperf3 running from A to B, the guest asks the host to save the VM to a file and restore it
# in a new QEMU (tools/vm --migrate). Afterwards the stream must have gone on to its end, the
# configuration and the counters must be what they were, and both ports must pass traffic.
# Run: tools/vm --migrate selftests/guest/migrate.sh
# The 9p shares block migration while mounted: the test runs from a copy in /tmp, unmounts
# them before the save and mounts /ofnic-out again afterwards.
if [ "${0#/tmp/}" = "$0" ]; then
	cp "$0" /tmp/migrate.sh && cd / && exec bash /tmp/migrate.sh "$@"
	echo "cannot copy $0 to /tmp"
	exit 1
fi
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
SECS=${MIGRATE_IPERF_SECS:-40}
W=$(mktemp -d)

tap_plan 14
dmesg -C
ofnic_pair
[ -n "$CAPS" ] || exit 1

configure() {
	ip link set "$A" mtu 9000 && rns ip link set "$B" mtu 9000 &&
	ethtool -L "$A" combined 3 &&
	ethtool -X "$A" equal 2 hkey "$(printf '%02x:' $(seq 101 140) | sed 's/:$//')" &&
	ethtool -N "$A" flow-type tcp4 dst-port 7777 action 2 &&
	ethtool -C "$A" rx-usecs 33 tx-usecs 44 &&
	ethtool -K "$A" rx-gro-hw off lro on && [ "$(feat large-receive-offload active)" = true ]
}
tap_run "configure A: MTU 9000, 3 queues, RSS key and table, ntuple rule, moderation, LRO for HW-GRO" configure
state() {	# what must survive
	local p
	for p in -k -x -n -c -l -g; do ethtool "$p" "$A" | grep -v '^Pre-set'; done
	ip -d link show "$A" | grep -o 'mtu [0-9]*'
	rns ip -d link show "$B" | grep -o 'mtu [0-9]*'
}
state > "$W/state.before"
ping -q -c2 -W2 "$REMOTE_V4" >/dev/null

# Before iperf3: its server runs under "ip netns exec", in a mount namespace of its own that
# would keep the shares mounted.
umount_shares() {
	umount /ofnic-out && umount /ofnic
}
tap_run "unmount the 9p shares (they block migration)" umount_shares
iperf_start "$REMOTE_V4" "$SECS" -i 1 -P 2
sleep 5
hw0=$(hwstat tx_wire_frames)
sw0=$(cat "/sys/class/net/$A/statistics/tx_packets")
t_mark=$(cut -d' ' -f1 /proc/uptime)
echo "OFNIC-MIGRATE-NOW"
echo "# migration requested at ${t_mark}s of guest uptime, iperf3 running"

iperf_end > "$W/iperf.err" 2>&1
rc=$?
[ "$rc" = 0 ] || { cat "$W/iperf.err"; tail -c 1500 "$W/iperf.json"; } | tap_diag
tap_ok "$rc" "iperf3 A -> B ran its $SECS s across the migration"
remount() {
	:
	for _ in $(seq 120); do
		mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 ofnic-out /ofnic-out \
			2>/dev/null && return 0
		sleep 1
	done
	echo "cannot mount /ofnic-out again"
	return 1
}
tap_run "mount /ofnic-out again" remount
mig=$(cat /ofnic-out/migration.txt 2>/dev/null)
printf '%s\n' "$mig" | tap_diag
tap_ok "$(grep -q '^migration: completed' <<< "$mig" && grep -q '^destination: running' <<< "$mig"
	echo $?)" "the host saved the VM to a file and a new QEMU runs it"

# The stream's last seconds were after the migration; every second moved data.
jq -r '.intervals[] | "\(.sum.start | floor) \(.sum.bits_per_second / 1e6 | floor)"' \
	"$W/iperf.json" > "$W/intervals" 2>/dev/null
echo "# iperf3 A -> B $MBPS Mbit/s overall; per second: $(awk '{ printf "%s ", $2 }' "$W/intervals")"
tail -n 5 "$W/intervals" > "$W/last"
tap_ok "$([ "$(wc -l < "$W/last")" = 5 ] && ! awk '$2 == 0 { f = 1 } END { exit !f }' "$W/last"
	echo $?)" "traffic flowed in each of the last 5 s of the stream (after the migration)"

state > "$W/state.after"
diff "$W/state.before" "$W/state.after" | tap_diag
tap_ok "$(cmp -s "$W/state.before" "$W/state.after"; echo $?)" \
	"features, RSS, ntuple rules, moderation, channels, rings and MTUs unchanged"
hw1=$(hwstat tx_wire_frames)
sw1=$(cat "/sys/class/net/$A/statistics/tx_packets")
echo "# tx_wire_frames $hw0 -> $hw1, tx_packets $sw0 -> $sw1"
tap_ok "$([ "${hw1:-0}" -gt "${hw0:-0}" ] && [ "$sw1" -gt "$sw0" ]; echo $?)" \
	"device and interface counters carried on from before the migration"
tap_run "ping A -> B and B -> A after the migration" sh -c \
	"ping -q -c3 -i0.2 -W2 $REMOTE_V4 && ip netns exec $REMOTE_NS ping -q -c3 -i0.2 -W2 $LOCAL_V4"
# The device's own copy of the rules: B -> A on port 7777 must be steered to queue 2.
steered() {
	local h0 q0 h1 q1 m
	h0=$(hwstat rx_ntuple_hits) q0=$(hwstat q2_rx_packets)
	iperf3 -s -1 -D -p 7777 -B "$LOCAL_V4" >/dev/null 2>&1
	sleep 0.3
	m=$(rns iperf3 -c "$LOCAL_V4" -p 7777 -t 3 -J | jq -r '.end.sum_received.bits_per_second / 1e6 | floor')
	h1=$(hwstat rx_ntuple_hits) q1=$(hwstat q2_rx_packets)
	echo "iperf3 B -> A:7777 ${m:-0} Mbit/s; ntuple hits +$((h1 - h0)), queue 2 +$((q1 - q0)) frames"
	[ "${m:-0}" -gt 0 ] && [ $((h1 - h0)) -gt 100 ] && [ $((q1 - q0)) -gt 100 ]
}
tap_check "iperf3 B -> A:7777 after the migration, steered to queue 2 by the ntuple rule" steered
errs=$(cat /ofnic-out/guest-errors*.log 2>/dev/null)
[ -z "$errs" ] || printf '%s\n' "$errs" | head -n 10 | tap_diag
tap_ok "$([ -z "$errs" ]; echo $?)" "no guest error logged by either QEMU"
teardown_pair "$A"
rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks (no TX timeout)"
tap_done
