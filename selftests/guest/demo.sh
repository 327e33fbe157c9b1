#!/bin/bash
# The ofnic demo, inside the guest: two ofnic ports, port B in a namespace; the driver, its
# features, and traffic between the ports. Run: make demo (tools/demo).
. /ofnic/selftests/lib/guest.sh
export IPERF_SECS=${IPERF_SECS:-5}
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "lspci: the ofnic ports (1af4:10f0)"
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1af4:0x10f0 ] && echo "${d##*/} ofnic [1af4:10f0] rev $(cat "$d/revision")"
done
step "insmod ofnic.ko"
load_driver ofnic || exit 1
wait_ifaces ofnic 2 || { echo "the driver bound no ports"; dmesg | tail; exit 1; }
mapfile -t P < <(nic_ifaces ofnic)
A=${P[0]} B=${P[1]}
dmesg | grep -i ofnic | tail -n 6
step "ethtool -i $A"
ethtool -i "$A"
step "ethtool -k $A (offload features)"
ethtool -k "$A"
step "ethtool -l / -g $A (channels and rings)"
ethtool -l "$A"
ethtool -g "$A"
step "wire: $A ($LOCAL_V4) here, $B ($REMOTE_V4) in netns $REMOTE_NS"
setup_pair "$A" "$B" || exit 1
ip -br addr show dev "$A"
ip netns exec "$REMOTE_NS" ip -br addr show dev "$B"
step "ping both ways, IPv4 and IPv6"
ping -c3 -i0.2 "$REMOTE_V4" | tail -n 2
ip netns exec "$REMOTE_NS" ping -6 -c3 -i0.2 "$LOCAL_V6" | tail -n 2
step "iperf3 TCP, ${IPERF_SECS}s each way"
f=$(iperf_mbps)
r=$(iperf_mbps_rev)
echo "A -> B: $f Mbit/s"
echo "B -> A: $r Mbit/s"

# What the seed article shows: with TSO the stack hands the NIC packets far larger than the
# MTU (tcpdump on the sender sees them) and the NIC cuts them; the wire carries MTU frames.
# The wire is QEMU's capture of port A (filter-dump, /ofnic-out/wire.pcap).
WIRE=/ofnic-out/wire.pcap
pcap_stats() {	# pcap_stats FILE FILTER: "<packets> <largest frame>"
	tcpdump -r "$1" -nn -e ${2:+"$2"} 2>/dev/null |
		sed -n 's/.*, length \([0-9]*\): .*/\1/p' |
		awk '{ n++; if ($1 > m) m = $1 } END { printf "%d %d", n, m }'
}
tso_run() {	# tso_run on|off PORT: iperf3 with a capture on A; prints one table row
	local state=$1 port=$2 mbps sent wire
	ethtool -K "$A" tso "$state"
	ip netns exec "$REMOTE_NS" iperf3 -s -1 -D -p "$port" >/dev/null 2>&1
	sleep 0.3
	tcpdump -i "$A" -s 96 -w "/tmp/tso-$state.pcap" "src host $LOCAL_V4 and tcp port $port" \
		>/dev/null 2>&1 &
	local td=$!
	sleep 1
	mbps=$(iperf3 -c "$REMOTE_V4" -p "$port" -t 3 -J | jq -r '.end.sum_received.bits_per_second / 1e6 | floor')
	sleep 0.5
	kill "$td"
	wait "$td" 2>/dev/null
	sent=$(pcap_stats "/tmp/tso-$state.pcap" "")
	wire=$(pcap_stats "$WIRE" "src host $LOCAL_V4 and tcp port $port")
	printf '| %-3s | %7s | %9s | %7s | %9s | %6s |\n' "$state" ${sent:-0 0} ${wire:-0 0} "$mbps"
}
step "TSO: ethtool -k $A | grep segmentation"
ethtool -k "$A" | grep -E '^(tcp-segmentation-offload|\s+tx-tcp6?-segmentation):'
if [ -f "$WIRE" ]; then
	step "TSO on, then off (ethtool -K $A tso on|off): 3 s of iperf3 each"
	echo "| TSO | tcpdump on $A: packets | largest | wire (QEMU): frames | largest | Mbit/s |"
	echo "|---|---:|---:|---:|---:|---:|"
	tso_run on 5301
	tso_run off 5302
	ethtool -K "$A" tso on
	echo "tcpdump on the sender sees what the stack hands the driver; the wire column is what"
	echo "the device put on the hub: with TSO on, the device cut each large packet into MTU frames."
fi

step "per-queue interrupts"
grep -E "$A-|$B-" /proc/interrupts | awk '{ s = 0; for (i = 2; i <= NF - 3; i++) s += $i; print $NF ": " s }' || true
step "ethtool -S $A (device counters, non-zero)"
ethtool -S "$A" | awk -F: '$2 + 0 != 0' | head -n 40
teardown_pair "$A"

step "a short benchmark matrix (selftests/guest/bench.sh; make bench runs the whole one)"
ROUNDS=1 BENCH_SECS=3 BENCH_ROWS="ofnic ofnic/no-tso ofnic/no-csum ofnic/all-off veth" \
	BENCH_WORKLOADS="tcp1-tx tcp1-rx" bash /ofnic/selftests/guest/bench.sh | grep -E '^(round|# )'
rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || { echo "kernel complained:"; echo "$bad"; exit 1; }
[ "${f:-0}" -gt 0 ] && [ "${r:-0}" -gt 0 ]
