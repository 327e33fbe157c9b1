#!/bin/bash
# ofnic-test: differential GSO: the device's segments equal the stack's software GSO
# Differential test of the TX segmentation (TAP). The same super-packet (TCPv4 with IP options
# and ECN/FIN/PSH, TCPv6 with and without a destination options header, USO and UFO over IPv4
# and IPv6) is sent twice from a PACKET_VNET_HDR socket on port A: once to the device (which
# segments it), once with TSO, USO and tx-gso-robust off, so that the stack segments it in
# software (skb_gso_segment). Port B captures both (GRO off, so as they came off the
# wire); each capture must be valid on its own and the two must be the same frames, byte for
# byte (the IPv6 fragment ID excepted: the stack draws it at random). A TCP packet with an MSS
# below the device's minimum must be left to software by ndo_features_check.
# Run: tools/vm selftests/guest/gso_diff.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
GSODIFF=/ofnic/selftests/lib/gsodiff.py
W=/tmp/gsodiff
rm -rf "$W"
mkdir -p "$W"
CASES=()
declare -A WHO
while read -r c who; do CASES+=("$c"); WHO[$c]=$who; done < <(python3 "$GSODIFF" list)
tap_plan $((${#CASES[@]} + 5))
dmesg -C

ofnic_pair
b_raw_rx off	# B sees the wire's frames
B_MAC=$(ip netns exec "$REMOTE_NS" cat "/sys/class/net/$B/address")
# quiet port A: no IPv6 autoconfiguration traffic in the captures
sysctl -qw "net.ipv6.conf.$A.accept_ra=0" 2>/dev/null

hwstat() { ethtool -S "$A" | awk -v n="$1:" '$1 == n { s += $2 } END { print s + 0 }'; }
segs() { echo $(($(hwstat tx_tso_segments) + $(hwstat tx_uso_segments) + $(hwstat tx_ufo_fragments))); }
# device UFO is asked for with a private flag (NETIF_F_GSO_UDP has no feature name)
if has_cap 8; then
	tap_run "private flag tx-udp-fragmentation on (device UFO)" \
		ethtool --set-priv-flags "$A" tx-udp-fragmentation on
else
	tap_skip "private flag tx-udp-fragmentation on (device UFO)" "device lacks OFNIC_CAP_UFO"
fi

capture() {	# capture NAME CASE: B's capture of one super-packet sent from A
	local name=$1 case=$2 src dst pid
	case "$case" in
	*6*) src=$LOCAL_V6 dst=$REMOTE_V6 ;;
	*) src=$LOCAL_V4 dst=$REMOTE_V4 ;;
	esac
	ip netns exec "$REMOTE_NS" tcpdump -i "$B" -Q in --immediate-mode -nn -U -s 0 -c 200 \
		-w "$W/$name.pcap" "src host $src and dst host $dst and not (arp or icmp or icmp6)" \
		>"$W/$name.log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do grep -q "listening on" "$W/$name.log" && break; sleep 0.1; done
	python3 "$GSODIFF" send "$A" "$B_MAC" "$case" || echo "send failed"
	sleep 1
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	true
}

diff_case() {	# diff_case CASE
	local case=$1 s0 s1 s2 rc=0
	s0=$(segs)
	capture "$case-hw" "$case"
	s1=$(segs)
	# Software GSO: the offloads off. tx-gso-robust off alone is not enough for TCP and UDP:
	# the stack then only checks the untrusted headers and still hands the packet over whole.
	ethtool -K "$A" tso off tx-udp-segmentation off tx-gso-robust off || return 1
	capture "$case-sw" "$case"
	ethtool -K "$A" tso on tx-udp-segmentation on tx-gso-robust on
	s2=$(segs)
	echo "device frames made: $((s1 - s0)) with the offload, $((s2 - s1)) without"
	if [ "${WHO[$case]}" = sw ]; then
		[ $((s1 - s0)) = 0 ] || { echo "the device got a packet beyond its limits"; rc=1; }
	else
		[ $((s1 - s0)) -gt 1 ] || { echo "the device did not segment the packet"; rc=1; }
	fi
	[ $((s2 - s1)) = 0 ] || { echo "the device segmented with the offloads off"; rc=1; }
	python3 "$GSODIFF" compare "$case" "$W/$case-hw.pcap" "$W/$case-sw.pcap" || rc=1
	return "$rc"
}

robust=$(ethtool --json -k "$A" | jq -r '.[0]["tx-gso-robust"].fixed')
for c in "${CASES[@]}"; do
	if [ "$robust" != false ]; then
		tap_skip "$c: device segments equal software GSO" "tx-gso-robust is [fixed]: the device has no segmentation capability"
		continue
	fi
	if [ "${WHO[$c]}" = sw ]; then
		tap_run "$c: beyond the device's limits, left to software GSO" diff_case "$c"
	else
		tap_run "$c: device segments equal software GSO" diff_case "$c"
	fi
done

teardown_pair "$A"
tap_run "unload ofnic" rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
