#!/bin/bash
# ofnic-test: IP tunnel offloads (TSO/USO inside GRE, gretap, ip6gre, ipip, sit, ip6tnl)
# In-guest test (TAP) on two ofnic ports wired back to back, port B in the namespace "remote",
# with IP tunnels between them over the ports (the underlay):
#   gre4   GRE over IPv4 (SKB_GSO_GRE)            gtap4  gretap over IPv4 (inner Ethernet)
#   gre6   ip6gre over IPv6                       ipip4  IPv4 in IPv4 (SKB_GSO_IPXIP4)
#   sit4   IPv6 in IPv4 (SKB_GSO_IPXIP4)          ip6t   ip6tnl mode any (SKB_GSO_IPXIP6)
#   grec   GRE over IPv4 with GRE checksums and a key (SKB_GSO_GRE_CSUM: not the device's)
#  - features: tx-gre/ipxip4/ipxip6-segmentation are changeable exactly when the IP tunnel
#    TSO capability (bit 28) is there;
#  - TX: A's tcpdump sees encapsulated super-packets leave the driver, B's sees frames within
#    the MTU with every inner checksum right, counted by the device's tunnel counters; one
#    USO case (UDP GSO inside GRE);
#  - each feature off, and GRE with checksums: the stack segments, the device's tunnel
#    counters stay still, traffic flows.
#
# Run: tools/vm selftests/guest/ip_tunnels.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
TXGEN=/ofnic/selftests/lib/txgen.py
MTU=1500
ETH_HLEN=14
W=/tmp/ip_tunnels
rm -rf "$W"
mkdir -p "$W"

tap_plan 19
dmesg -C

ofnic_pair
b_raw_rx off
FEATURES="tx-gre-segmentation tx-ipxip4-segmentation tx-ipxip6-segmentation"

# ---- tunnels -----------------------------------------------------------------------------------
# mk_tunnel NAME KIND OUTER(4|6) N [OPTIONS...]: both ends, inner 10.N.0.1/.2 (not sit) and
# fd00:N::1/::2 (not ipip) on A/B
mk_tunnel() {
	local name=$1 kind=$2 outer=$3 n=$4 la=$LOCAL_V4 ra=$REMOTE_V4 probe
	shift 4
	[ "$outer" = 6 ] && { la=$LOCAL_V6; ra=$REMOTE_V6; }
	ip link add "$name" type "$kind" local "$la" remote "$ra" "$@" || return 1
	rns ip link add "$name" type "$kind" local "$ra" remote "$la" "$@" || return 1
	if [ "$kind" != sit ]; then
		ip addr add "10.$n.0.1/24" dev "$name"
		rns ip addr add "10.$n.0.2/24" dev "$name"
		probe=10.$n.0.2
	fi
	if [ "$kind" != ipip ]; then
		ip addr add "fd00:$n::1/64" dev "$name" nodad
		rns ip addr add "fd00:$n::2/64" dev "$name" nodad
		probe=${probe:-fd00:$n::2}
	fi
	ip link set "$name" up
	rns ip link set "$name" up
	wait_reachable "$probe" "$name"
}
mk_tunnels() {
	mk_tunnel gre4 gre 4 60 && mk_tunnel gtap4 gretap 4 61 && mk_tunnel gre6 ip6gre 6 62 &&
		mk_tunnel ipip4 ipip 4 63 && mk_tunnel sit4 sit 4 64 &&
		mk_tunnel ip6t ip6tnl 6 65 mode any && mk_tunnel grec gre 4 66 csum key 66
}
tap_run "tunnels gre4, gtap4, gre6, ipip4, sit4, ip6t, grec up and reachable" mk_tunnels

# ---- features --------------------------------------------------------------------------------
ethtool -k "$A" | grep -E 'gre|ipxip' | tap_diag
# IP tunnel TSO needs the checksum (0), a segmentation (3, 4, 7) and IP tunnel TSO (28)
features_match_caps() {
	local rc=0 seg=0 want=false f
	for b in 3 4 7; do has_cap $b && seg=1; done
	has_cap 0 && has_cap 28 && [ "$seg" = 1 ] && want=true
	for f in $FEATURES; do
		[ "$(feat "$f" active)" = "$want" ] &&
			[ "$(feat "$f" fixed)" = "$([ "$want" = true ] && echo false || echo true)" ] ||
			{ echo "$f: active=$(feat "$f" active) fixed=$(feat "$f" fixed), capabilities say $want"; rc=1; }
	done
	# GRE with checksums is segmented in software: nothing offers it
	[ "$(feat tx-gre-csum-segmentation active)" = false ] ||
		{ echo "tx-gre-csum-segmentation is on"; rc=1; }
	return "$rc"
}
tap_run "IP tunnel features follow the capabilities ($CAPS)" features_match_caps

snap tx_drop_bad_descriptor tx_drop_bad_header tx_drop_bad_mss tx_drop_bad_length \
	tx_drop_unsupported drv:tx_dropped

# ---- TX: segmentation inside the tunnel --------------------------------------------------------
# the underlay's traffic of one tunnel: outer IPv4 protocol 47 (GRE) or 4/41, or any IPv6
# (ip6tnl puts a destination options header first); the tunnels run one at a time
tnl_filter() {
	case "$1" in
	gre4 | gtap4 | grec) echo "ip proto 47" ;;
	ipip4) echo "ip proto 4" ;;
	sit4) echo "ip proto 41" ;;
	*) echo "ip6 and not icmp6" ;;
	esac
}
# B's stack: outer and inner IP headers refused (bad or truncated lengths, header errors) and
# TCP checksum errors, summed; every frame the device makes must pass them
b_rx_errors() {
	rns awk 'BEGIN { split("Ip:InHdrErrors IpExt:InTruncatedPkts Tcp:InCsumErrors", w)
			for (k in w) want[w[k]] = 1 }
		/^[A-Za-z]+: / && !($1 in hdr) { hdr[$1] = 1; for (i = 2; i <= NF; i++) name[$1, i] = $i; next }
		/^[A-Za-z]+: / { for (i = 2; i <= NF; i++) if (($1 name[$1, i]) in want) s += $i; next }
		$1 ~ /^Ip6In(HdrErrors|TruncatedPkts)$/ { s += $2 }
		END { print s + 0 }' /proc/net/snmp /proc/net/netstat /proc/net/snmp6
}
# tnl_tcp TUNNEL ADDR: TCP over the tunnel to ADDR for 3 s with captures on both ends; sets
# M (Mbit/s), BIG (frames beyond the MTU A handed over), MAXB (B's largest frame), TP/TS
# (the device's tunnel packets and frames)
tnl_tcp() {
	local rc=0 err0 berr
	snap tx_tunnel_packets tx_tunnel_segments
	err0=$(b_rx_errors)
	cap_start txa - "$A" 128 "$(tnl_filter "$1")" || return 1
	cap_start rxb "$REMOTE_NS" "$B" 0 "$(tnl_filter "$1")" || return 1
	iperf_start "$2" 3
	iperf_end || rc=1
	M=$MBPS
	cap_stop txa
	cap_stop rxb
	BIG=$(count_over txa $((MTU + ETH_HLEN)))
	MAXB=$(max_len rxb)
	TP=$(grew tx_tunnel_packets)
	TS=$(grew tx_tunnel_segments)
	berr=$(($(b_rx_errors) - err0))
	echo "$1 to $2: $M Mbit/s; A handed over $BIG super-packets (largest $(max_len txa));" \
		"B's largest frame $MAXB, $berr refused by its IP/TCP layers;" \
		"device: $TP tunnel packets, $TS frames"
	[ "${M:-0}" -gt 0 ] && [ "${MAXB:-0}" -le $((MTU + ETH_HLEN)) ] || rc=1
	[ "$berr" = 0 ] || rc=1
	check_csums rxb || rc=1	# tcpdump -vv verifies the inner TCP checksums
	return "$rc"
}
# tso_check TUNNEL ADDR: the device segments inside the tunnel
tso_check() {
	tnl_tcp "$1" "$2" || return 1
	[ "$BIG" -gt 0 ] || { echo "no tunnel packet larger than the MTU left the driver"; return 1; }
	[ "$TP" -gt 0 ] && [ "$TS" -gt "$TP" ] || { echo "device tunnel counters did not grow"; return 1; }
}
# sw_check TUNNEL ADDR [FEATURE]: with FEATURE off (or a tunnel the device does not do) the
# stack segments: MTU frames only reach the driver, the device segments nothing
sw_check() {
	local rc=0
	[ -z "${3:-}" ] || ethtool -K "$A" "$3" off >/dev/null || return 1
	tnl_tcp "$1" "$2" || rc=1
	[ -z "${3:-}" ] || ethtool -K "$A" "$3" on >/dev/null || rc=1
	[ "$BIG" = 0 ] || { echo "$BIG frames beyond the MTU handed to the driver"; rc=1; }
	[ "$TP" = 0 ] || { echo "the device segmented $TP tunnel packets"; rc=1; }
	return "$rc"
}
G=tx-gre-segmentation
X4=tx-ipxip4-segmentation
X6=tx-ipxip6-segmentation
for t in "$G gre4 10.60.0.2 GRE/IPv4, inner IPv4" "$G gre4 fd00:60::2 GRE/IPv4, inner IPv6" \
	"$G gtap4 10.61.0.2 gretap/IPv4, inner IPv4" "$G gre6 fd00:62::2 ip6gre, inner IPv6" \
	"$X4 ipip4 10.63.0.2 IPv4 in IPv4 (ipip)" "$X4 sit4 fd00:64::2 IPv6 in IPv4 (sit)" \
	"$X6 ip6t 10.65.0.2 IPv4 in IPv6 (ip6tnl)" "$X6 ip6t fd00:65::2 IPv6 in IPv6 (ip6tnl)"; do
	set -- $t
	f=$1 tnl=$2 addr=$3
	shift 3
	if usable "$f" "$* TSO"; then
		tap_check "$* TSO" tso_check "$tnl" "$addr"
	fi
done

# uso_check: UDP GSO over gre4, every datagram arrives, the device segments
uso_check() {
	local gso=1200 port=9170 out big pk tp rc=0
	snap tx_uso_packets tx_tunnel_packets
	cap_start txa - "$A" 128 "$(tnl_filter gre4)" || return 1
	rns python3 "$TXGEN" udp-recv 10.60.0.2 "$port" 200 "$gso" 20 >"$W/udp.out" 2>"$W/udp.err" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$W/udp.err" && break; sleep 0.1; done
	python3 "$TXGEN" udp-send 10.60.0.2 "$port" $((gso * 10)) 20 "$gso" || rc=1
	wait "$rpid"
	cap_stop txa
	out=$(cat "$W/udp.out")
	big=$(count_over txa $((MTU + ETH_HLEN)))
	pk=$(grew tx_uso_packets)
	tp=$(grew tx_tunnel_packets)
	echo "B received (datagrams bytes bad) $out of 200 x $gso; A handed over $big GRE" \
		"super-datagrams; device: $pk USO packets, $tp tunnel packets"
	[ "$out" = "200 $((200 * gso)) 0" ] || rc=1
	[ "$big" -gt 0 ] || { echo "no datagram larger than the MTU left the driver"; rc=1; }
	[ "$pk" -gt 0 ] && [ "$tp" -ge "$pk" ] || { echo "device USO/tunnel counters did not grow"; rc=1; }
	return "$rc"
}
if usable "$G" "GRE/IPv4 USO: UDP GSO segmented by the device" &&
	usable tx-udp-segmentation "GRE/IPv4 USO: UDP GSO segmented by the device"; then
	tap_check "GRE/IPv4 USO: UDP GSO segmented by the device" uso_check
fi

# ---- software: features off, GRE with checksums ------------------------------------------------
for t in "$G gre4 10.60.0.2" "$X4 ipip4 10.63.0.2" "$X6 ip6t fd00:65::2"; do
	set -- $t
	if usable "$1" "$1 off: the stack segments $2, the device does not"; then
		tap_check "$1 off: the stack segments $2, the device does not" sw_check "$2" "$3" "$1"
	fi
done
tap_check "GRE with checksums: the stack segments, the device does not" sw_check grec 10.66.0.2

errs=0
for n in tx_drop_bad_descriptor tx_drop_bad_header tx_drop_bad_mss tx_drop_bad_length \
	tx_drop_unsupported drv:tx_dropped; do
	d=$(grew "$n")
	[ "$d" = 0 ] || { echo "# $n grew by $d"; errs=1; }
done
tap_ok "$errs" "no TX packet refused or dropped by the device or the driver"

for t in gre4 gtap4 gre6 ipip4 sit4 ip6t grec; do
	ip link del "$t" 2>/dev/null
	rns ip link del "$t" 2>/dev/null
done
b_raw_rx restore
teardown_pair "$A"
rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
