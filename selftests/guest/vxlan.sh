#!/bin/bash
# ofnic-test: UDP tunnel offloads (port table, VXLAN/GENEVE TSO and USO, inner checksums, inner RSS)
# In-guest test of the tunnel offloads (TAP) on two ofnic ports wired back to back, port B in
# the namespace "remote", with tunnels between them over the ports (the underlay):
#   vx4   VXLAN VNI 42, IPv4 outer, no outer UDP checksum (SKB_GSO_UDP_TUNNEL)
#   vx4c  VXLAN VNI 43, IPv4 outer, outer UDP checksum (SKB_GSO_UDP_TUNNEL_CSUM)
#   vx6   VXLAN VNI 46, IPv6 outer (checksummed), inner IPv4 and IPv6
#   gn4   GENEVE VNI 44, IPv4 outer
#   vxr   VXLAN VNI 50 whose sender (B) uses one outer source port for every flow
# All VXLAN tunnels share the IANA port 4789 and GENEVE 6081, which tcpdump decodes: with -vv
# it checks the outer UDP checksum and the inner IP/TCP ones.
#  - features: the tunnel features are changeable exactly when the capabilities allow;
#  - the port table: ethtool --show-tunnels lists ports as tunnel devices come and go, and
#    none while rx-udp_tunnel-port-offload is off;
#  - TX: A's tcpdump sees encapsulated super-packets leave the driver, B's sees frames within
#    the MTU with every checksum right (inner TSO v4/v6, outer IPv4/IPv6, with and without
#    the outer checksum, GENEVE, USO), counted by the device's tunnel counters;
#  - each tunnel feature off: the stack segments, traffic still flows; flipped under iperf3;
#  - RX: inner checksums validated (CHECKSUM_UNNECESSARY, level 1), a wrong inner checksum
#    reported to the stack; inner RSS spreads flows that share one outer 4-tuple;
#  - iperf3 over VXLAN with the tunnel offloads on and off (the figures as TAP comments).
#
# Run: tools/vm selftests/guest/vxlan.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
TXGEN=/ofnic/selftests/lib/txgen.py
RXGEN=/ofnic/selftests/lib/rxgen.py
MTU=1500
ETH_HLEN=14
W=/tmp/vxlan
rm -rf "$W"
mkdir -p "$W"

tap_plan 25
dmesg -C

ofnic_pair
b_raw_rx off
TNL_FEATURES="tx-udp_tnl-segmentation tx-udp_tnl-csum-segmentation rx-udp_tunnel-port-offload"

# iperf_mbps_to ADDR [ARGS]: Mbit/s of a client in the root namespace, server in the remote one
iperf_mbps_to() {
	iperf_start "$1" "${IPERF_SECS:-5}" "${@:2}"
	iperf_end || return 1
	echo "$MBPS"
}

# ---- tunnels -----------------------------------------------------------------------------------
# mk_tunnel NAME vxlan|geneve VNI OUTER(4|6) N [OPTIONS...]: both ends, inner 10.N.0.1/.2 and
# fd00:N::1/::2 (A/B); B's end gets OPTIONS too
mk_tunnel() {
	local name=$1 kind=$2 vni=$3 outer=$4 n=$5 la=$LOCAL_V4 ra=$REMOTE_V4
	shift 5
	[ "$outer" = 6 ] && { la=$LOCAL_V6; ra=$REMOTE_V6; }
	if [ "$kind" = vxlan ]; then
		ip link add "$name" type vxlan id "$vni" dstport 4789 local "$la" remote "$ra" \
			dev "$A" "$@" || return 1
		rns ip link add "$name" type vxlan id "$vni" dstport 4789 local "$ra" remote "$la" \
			dev "$B" "$@" || return 1
	else
		ip link add "$name" type geneve id "$vni" remote "$ra" "$@" || return 1
		rns ip link add "$name" type geneve id "$vni" remote "$la" "$@" || return 1
	fi
	ip addr add "10.$n.0.1/24" dev "$name"
	ip addr add "fd00:$n::1/64" dev "$name" nodad
	ip link set "$name" up
	rns ip addr add "10.$n.0.2/24" dev "$name"
	rns ip addr add "fd00:$n::2/64" dev "$name" nodad
	rns ip link set "$name" up
	wait_reachable "10.$n.0.2" "$name"
}
mk_tunnels() {
	mk_tunnel vx4 vxlan 42 4 42 noudpcsum &&
		mk_tunnel vx4c vxlan 43 4 43 udpcsum &&
		mk_tunnel vx6 vxlan 46 6 46 &&
		mk_tunnel gn4 geneve 44 4 44 &&
		mk_tunnel vxr vxlan 50 4 50 srcport 40000 40001
}
tap_run "tunnels vx4, vx4c, vx6, gn4, vxr up and reachable" mk_tunnels

# ---- features --------------------------------------------------------------------------------
declare -A BEFORE
for f in $TNL_FEATURES tx-checksum-ip-generic; do
	BEFORE[$f]=$(feat "$f" active)/$(feat "$f" fixed)
done
ethtool -k "$A" | grep -E 'udp_tnl|udp_tunnel' | tap_diag

# tunnel TSO needs the checksum (0), a segmentation (3, 4, 7), tunnel TSO (19) and tunnel
# checksums (20); its checksum variant also the outer checksum (21); the port table 18 and 22
features_match_caps() {
	local rc=0 seg=0 tnl=false tnlc=false port=false f want
	for b in 3 4 7; do has_cap $b && seg=1; done
	has_cap 0 && has_cap 19 && has_cap 20 && [ "$seg" = 1 ] && tnl=true
	[ "$tnl" = true ] && has_cap 21 && tnlc=true
	has_cap 18 && has_cap 22 && port=true
	for f in "tx-udp_tnl-segmentation $tnl" "tx-udp_tnl-csum-segmentation $tnlc" \
		"rx-udp_tunnel-port-offload $port"; do
		set -- $f
		want=$2
		[ "$(feat "$1" active)" = "$want" ] &&
			[ "$(feat "$1" fixed)" = "$([ "$want" = true ] && echo false || echo true)" ] ||
			{ echo "$1: active=$(feat "$1" active) fixed=$(feat "$1" fixed), capabilities say $want"; rc=1; }
	done
	return "$rc"
}
tap_run "tunnel features follow the capabilities ($CAPS)" features_match_caps

# ---- the port table --------------------------------------------------------------------------
tunnels() { ethtool --show-tunnels "$A"; }
# has_port PORT TYPE: the table lists it
has_port() { tunnels | grep -qE "port $1, $2\$"; }
port_table() {
	local rc=0 p
	tunnels
	has_port 4789 vxlan || { echo "4789 (vxlan) not in the table"; rc=1; }
	if has_cap 25; then
		has_port 6081 geneve || { echo "6081 (geneve) not in the table"; rc=1; }
	else
		has_port 6081 geneve && { echo "6081 listed without the GENEVE capability"; rc=1; }
	fi
	for p in 4790 4791 4792 8472; do
		ip link add "vxp$p" type vxlan id "$p" dstport "$p" local "$LOCAL_V4" dev "$A" || rc=1
		ip link set "vxp$p" up || rc=1
	done
	sleep 0.5
	for p in 4790 4791 4792 8472; do
		has_port "$p" vxlan || { echo "$p not in the table while its vxlan device is up"; rc=1; }
	done
	echo "with four more VXLAN ports: $(tunnels | grep -cE '^ +port [0-9]+, ') entries"
	for p in 4790 4791 4792 8472; do ip link del "vxp$p"; done
	sleep 0.5
	for p in 4790 4791 4792 8472; do
		has_port "$p" vxlan && { echo "$p still in the table after its device went"; rc=1; }
	done
	has_port 4789 vxlan || { echo "4789 went with the others"; rc=1; }
	return "$rc"
}
port_offload_switch() {
	local rc=0
	ethtool -K "$A" rx-udp_tunnel-port-offload off || return 1
	sleep 0.3
	[ "$(tunnels | grep -cE '^ +port [0-9]+, ')" = 0 ] || { echo "ports listed with the offload off:"; tunnels; rc=1; }
	ethtool -K "$A" rx-udp_tunnel-port-offload on || rc=1
	sleep 0.3
	has_port 4789 vxlan || { echo "4789 not back with the offload on"; rc=1; }
	return "$rc"
}
if usable rx-udp_tunnel-port-offload "port table: ports come and go with the tunnel devices"; then
	tap_check "port table: ports come and go with the tunnel devices" port_table
	tap_run "port table: empty with rx-udp_tunnel-port-offload off, refilled when on" \
		port_offload_switch
fi

snap tx_drop_bad_descriptor tx_drop_bad_header tx_drop_bad_mss tx_drop_bad_length \
	tx_drop_unsupported drv:tx_dropped

# ---- TX: segmentation inside the tunnel --------------------------------------------------------
# check_tnl_csums NAME OUTER_CSUM(0|1): B's capture has the inner TCP checksums verified, the
# outer UDP ones verified (1) or absent (0), nothing wrong
check_tnl_csums() {
	local out inner bad osum none
	out=$(cap_read "$1" -vv)
	inner=$(grep -c 'cksum 0x[0-9a-f]* (correct)' <<<"$out")
	bad=$(grep -cE 'incorrect|bad udp cksum|bad cksum' <<<"$out")
	osum=$(grep -c 'udp sum ok' <<<"$out")
	none=$(grep -c 'no cksum' <<<"$out")
	echo "$1: $inner inner TCP checksums verified, outer UDP: $osum verified, $none without; $bad wrong"
	[ "$bad" = 0 ] || grep -E 'incorrect|bad udp cksum|bad cksum' <<<"$out" | head -n 5
	[ "$inner" -gt 0 ] && [ "$bad" = 0 ] || return 1
	if [ "$2" = 1 ]; then
		[ "$osum" -gt 0 ] && [ "$none" = 0 ]
	else
		[ "$osum" = 0 ]
	fi
}
# tnl_filter PORT VNI OUTER(4|6): one tunnel's packets (the VXLAN and GENEVE headers both
# have the VNI in bytes 4..6; the tunnels share their UDP port)
tnl_filter() {
	if [ "$3" = 6 ]; then
		echo "ip6 and udp dst port $1 and ip6[52:4] & 0xffffff00 = $(($2 << 8))"
	else
		echo "ip and udp dst port $1 and udp[12:4] & 0xffffff00 = $(($2 << 8))"
	fi
}
# tnl_tso_check ADDR OUTER_CSUM PORT VNI OUTER: TCP over the tunnel to ADDR leaves A as
# encapsulated super-packets and reaches B as MTU frames with good checksums
tnl_tso_check() {
	local addr=$1 ocsum=$2 filter m big maxa maxb tp ts rc=0
	filter=$(tnl_filter "$3" "$4" "$5")
	snap tx_tunnel_packets tx_tunnel_segments tx_tso_packets
	cap_start txa - "$A" 128 "$filter" || return 1
	cap_start rxb "$REMOTE_NS" "$B" 0 "$filter" || return 1
	iperf_start "$addr" 3
	iperf_end || rc=1
	m=$MBPS
	cap_stop txa
	cap_stop rxb
	big=$(count_over txa $((MTU + ETH_HLEN)))
	maxa=$(max_len txa)
	maxb=$(max_len rxb)
	tp=$(grew tx_tunnel_packets)
	ts=$(grew tx_tunnel_segments)
	echo "$addr: $m Mbit/s; A handed over $big tunnel super-packets (largest $maxa);" \
		"B's largest frame $maxb; device: $tp tunnel packets, $ts frames," \
		"$(grew tx_tso_packets) TSO packets"
	[ "${m:-0}" -gt 0 ] || rc=1
	[ "$big" -gt 0 ] || { echo "no tunnel packet larger than the MTU left the driver"; rc=1; }
	[ "${maxb:-0}" -le $((MTU + ETH_HLEN)) ] || { echo "B received frames beyond the MTU"; rc=1; }
	check_tnl_csums rxb "$ocsum" || rc=1
	[ "$tp" -gt 0 ] && [ "$ts" -gt "$tp" ] || { echo "device tunnel counters did not grow"; rc=1; }
	return "$rc"
}
T="tx-udp_tnl-segmentation"
TC="tx-udp_tnl-csum-segmentation"
if usable "$T" "VXLAN/IPv4 TSO, no outer checksum"; then
	tap_check "VXLAN/IPv4 TSO, no outer checksum" tnl_tso_check 10.42.0.2 0 4789 42 4
fi
if usable "$TC" "VXLAN/IPv4 TSO with outer UDP checksums"; then
	tap_check "VXLAN/IPv4 TSO with outer UDP checksums" tnl_tso_check 10.43.0.2 1 4789 43 4
fi
if usable "$TC" "VXLAN/IPv6 TSO, inner IPv4"; then
	tap_check "VXLAN/IPv6 TSO, inner IPv4" tnl_tso_check 10.46.0.2 1 4789 46 6
fi
if usable "$TC" "VXLAN/IPv6 TSO, inner IPv6"; then
	tap_check "VXLAN/IPv6 TSO, inner IPv6" tnl_tso_check fd00:46::2 1 4789 46 6
fi
if usable "$T" "GENEVE/IPv4 TSO"; then
	tap_check "GENEVE/IPv4 TSO" tnl_tso_check 10.44.0.2 0 6081 44 4
fi

# tnl_uso_check: UDP GSO over vx4, every datagram arrives, the device segments
tnl_uso_check() {
	local gso=1200 port=9150 out big maxb pk tp rc=0
	snap tx_uso_packets tx_tunnel_packets
	cap_start txa - "$A" 128 "$(tnl_filter 4789 42 4)" || return 1
	cap_start rxb "$REMOTE_NS" "$B" 0 "$(tnl_filter 4789 42 4)" || return 1
	rns python3 "$TXGEN" udp-recv 10.42.0.2 "$port" 200 "$gso" 20 >"$W/udp.out" 2>"$W/udp.err" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$W/udp.err" && break; sleep 0.1; done
	python3 "$TXGEN" udp-send 10.42.0.2 "$port" $((gso * 10)) 20 "$gso" || rc=1
	wait "$rpid"
	cap_stop txa
	cap_stop rxb
	out=$(cat "$W/udp.out")
	big=$(count_over txa $((MTU + ETH_HLEN)))
	maxb=$(max_len rxb)
	pk=$(grew tx_uso_packets)
	tp=$(grew tx_tunnel_packets)
	echo "B received (datagrams bytes bad) $out of 200 x $gso; A handed over $big tunnel" \
		"super-datagrams; B's largest frame $maxb; device: $pk USO packets, $tp tunnel packets"
	[ "$out" = "200 $((200 * gso)) 0" ] || rc=1
	[ "$big" -gt 0 ] || { echo "no datagram larger than the MTU left the driver"; rc=1; }
	[ "${maxb:-0}" -le $((MTU + ETH_HLEN)) ] || rc=1
	[ "$pk" -gt 0 ] && [ "$tp" -ge "$pk" ] || { echo "device USO/tunnel counters did not grow"; rc=1; }
	return "$rc"
}
if usable "$T" "VXLAN/IPv4 USO: UDP GSO segmented by the device" &&
	usable tx-udp-segmentation "VXLAN/IPv4 USO: UDP GSO segmented by the device"; then
	tap_check "VXLAN/IPv4 USO: UDP GSO segmented by the device" tnl_uso_check
fi

# ---- each feature off: software ------------------------------------------------------------
# sw_check FEATURE ADDR OUTER_CSUM VNI: with FEATURE off the driver gets MTU frames only over
# tunnel VNI (IPv4 outer), B gets good ones
sw_check() {
	local f=$1 addr=$2 ocsum=$3 rc=0 m big
	ethtool -K "$A" "$f" off >/dev/null || return 1
	cap_start txa - "$A" 128 "$(tnl_filter 4789 "$4" 4)" || rc=1
	cap_start rxb "$REMOTE_NS" "$B" 0 "$(tnl_filter 4789 "$4" 4)" || rc=1
	iperf_start "$addr" 2
	iperf_end || rc=1
	m=$MBPS
	cap_stop txa
	cap_stop rxb
	ethtool -K "$A" "$f" on >/dev/null || rc=1
	big=$(count_over txa $((MTU + ETH_HLEN)))
	echo "$f off: $m Mbit/s to $addr, $big frames beyond the MTU handed to the driver"
	[ "${m:-0}" -gt 0 ] && [ "$big" = 0 ] || rc=1
	check_tnl_csums rxb "$ocsum" || rc=1
	return "$rc"
}
if usable "$T" "$T off: the stack segments VXLAN, the driver gets MTU frames"; then
	tap_check "$T off: the stack segments VXLAN, the driver gets MTU frames" \
		sw_check "$T" 10.42.0.2 0 42
fi
if usable "$TC" "$TC off: the stack segments and checksums, the driver gets MTU frames"; then
	tap_check "$TC off: the stack segments and checksums, the driver gets MTU frames" \
		sw_check "$TC" 10.43.0.2 1 43
fi
if usable tx-checksum-ip-generic "tx-checksum-ip-generic off: inner checksums in software"; then
	tap_check "tx-checksum-ip-generic off: inner checksums in software" \
		sw_check tx-checksum-ip-generic 10.43.0.2 1 43
fi
for f in "$T 10.42.0.2" "$TC 10.43.0.2" "rx-udp_tunnel-port-offload 10.42.0.2 -R"; do
	set -- $f
	if usable "$1" "$1: off/on under iperf3 over VXLAN"; then
		tap_check "$1: off/on under iperf3 over VXLAN" toggle_under_iperf "$@"
	fi
done

# ---- RX: inner checksums and inner RSS ------------------------------------------------------
# rx_csum_check: B sends over vx4 (outer checksum 0): A's device parses the tunnel and
# validates the inner checksums; a datagram with a wrong inner UDP checksum is reported so and
# the stack counts it (InCsumErrors), not delivered
rx_csum_check() {
	local rc=0 m t ok none bad err drops
	snap rx_tunnel_packets hwq:rx_hw_drops drv:rx_csum_unnecessary drv:rx_csum_none \
		drv:rx_csum_bad snmp:Udp:InCsumErrors
	m=$(IPERF_SECS=2 iperf_mbps_to 10.42.0.2 -R) || rc=1
	t=$(grew rx_tunnel_packets)
	# what the device parsed reaches the driver within moments, or found no RX buffer (the
	# peer's TX does not wait) and was dropped
	sleep 0.3
	drops=$(grew hwq:rx_hw_drops)
	ok=$(grew drv:rx_csum_unnecessary)
	none=$(grew drv:rx_csum_none)
	rns python3 "$RXGEN" bad-csum 10.42.0.1 9160 20 || rc=1
	sleep 0.5
	bad=$(grew drv:rx_csum_bad)
	err=$(grew snmp:Udp:InCsumErrors)
	echo "B to A over vx4: $m Mbit/s; device parsed $t tunnel packets ($drops RX drops)," \
		"driver handed up $ok CHECKSUM_UNNECESSARY, $none without a checksum to check;" \
		"20 wrong inner UDP checksums: driver saw $bad bad, stack counted $err InCsumErrors"
	[ "${m:-0}" -gt 0 ] || rc=1
	# every one validated but the tunnel's own ARP/ND/MLD (no TCP/UDP checksum): under 1%
	[ "$t" -gt 100 ] && [ $((ok + none + drops)) -ge "$t" ] && [ $((none * 100)) -le "$t" ] ||
		{ echo "tunnel packets not validated"; rc=1; }
	[ "$bad" -ge 20 ] && [ "$err" -ge 20 ] || { echo "wrong inner checksums not reported"; rc=1; }
	return "$rc"
}
if usable rx-udp_tunnel-port-offload "RX: inner checksums validated, a wrong one reported"; then
	tap_check "RX: inner checksums validated, a wrong one reported" rx_csum_check
fi

qcounts() { ethtool -S "$A" | sed -n 's/^ *drv_q[0-9]*_rx_packets: \([0-9]*\)$/\1/p'; }
# flows64: 64 UDP flows from B over vxr, one outer 4-tuple; prints A's per-queue packets
flows64() {
	local before now i out=()
	mapfile -t before < <(qcounts)
	rns python3 "$RXGEN" udp-flows 10.50.0.1 9300 64 1 10 >/dev/null || return 1
	sleep 0.5
	mapfile -t now < <(qcounts)
	for i in "${!now[@]}"; do out+=($((now[i] - ${before[i]:-0}))); done
	echo "${out[*]}"
}
# channels NAME: ethtool -l's maximum (max) or current (cur) combined count
channels() {
	ethtool -l "$A" | awk -v w="$1" '/^Current/ { c = 1 }
		/^Combined:/ && ((w == "max" && !c) || (w == "cur" && c)) { print $2; exit }'
}
inner_rss_check() {
	local rc=0 on off max min sum cur
	# every queue the device has, as a user spreading tunnel traffic would
	cur=$(channels cur)
	ethtool -L "$A" combined "$(channels max)" || rc=1
	for _ in $(seq 30); do ping -q -c1 -W1 10.50.0.2 >/dev/null 2>&1 && break; sleep 0.3; done
	on=$(flows64) || rc=1
	ethtool -K "$A" rx-udp_tunnel-port-offload off >/dev/null || rc=1
	off=$(flows64) || rc=1
	ethtool -K "$A" rx-udp_tunnel-port-offload on >/dev/null || rc=1
	ethtool -L "$A" combined "$cur" || rc=1
	for _ in $(seq 30); do ping -q -c1 -W1 10.50.0.2 >/dev/null 2>&1 && break; sleep 0.3; done
	max=$(tr ' ' '\n' <<<"$on" | sort -n | tail -n1)
	min=$(tr ' ' '\n' <<<"$on" | sort -n | head -n1)
	echo "64 flows in one outer 4-tuple, per queue: inner RSS $on (max/min $max/$min);" \
		"port offload off $off"
	[ "$min" -gt 0 ] || { echo "inner RSS left a queue empty"; rc=1; }
	max=$(tr ' ' '\n' <<<"$off" | sort -n | tail -n1)
	sum=$(tr ' ' '\n' <<<"$off" | awk '{ s += $1 } END { print s + 0 }')
	[ "$sum" -gt 0 ] && [ $((max * 100)) -ge $((sum * 95)) ] ||
		{ echo "without the port table the flows should share one queue"; rc=1; }
	return "$rc"
}
if usable rx-udp_tunnel-port-offload "inner RSS: flows in one outer 4-tuple spread over the queues"; then
	if [ "$(channels max)" -ge 2 ]; then
		tap_check "inner RSS: flows in one outer 4-tuple spread over the queues" inner_rss_check
	else
		tap_skip "inner RSS: flows in one outer 4-tuple spread over the queues" \
			"one queue: nothing to spread over"
	fi
fi

# ---- the figures: iperf3 over VXLAN, tunnel offloads on and off --------------------------------
set_tnl() {	# set_tnl on|off: the changeable tunnel features of both ports
	local f
	for f in $TNL_FEATURES; do
		[ "$(feat "$f" fixed)" = false ] || continue
		ethtool -K "$A" "$f" "$1" >/dev/null
		rns ethtool -K "$B" "$f" "$1" >/dev/null
	done
}
vxlan_iperf() {
	local rc=0 on off on_r off_r
	# the stack's GRO as a user has it
	[ "$B_GRO" = true ] && rns ethtool -K "$B" gro on
	on=$(IPERF_SECS=5 iperf_mbps_to 10.42.0.2) || rc=1
	on_r=$(IPERF_SECS=5 iperf_mbps_to 10.42.0.2 -R) || rc=1
	set_tnl off
	off=$(IPERF_SECS=5 iperf_mbps_to 10.42.0.2) || rc=1
	off_r=$(IPERF_SECS=5 iperf_mbps_to 10.42.0.2 -R) || rc=1
	set_tnl on
	rns ethtool -K "$B" gro off
	echo "iperf3 over VXLAN (vx4), A to B: tunnel offloads on $on Mbit/s, off $off Mbit/s" \
		"(on/off $(echo "scale=2; $on / ($off + 0.001)" | bc))"
	echo "iperf3 over VXLAN (vx4), B to A: tunnel offloads on $on_r Mbit/s, off $off_r Mbit/s" \
		"(on/off $(echo "scale=2; $on_r / ($off_r + 0.001)" | bc))"
	[ "${on:-0}" -gt 0 ] && [ "${off:-0}" -gt 0 ] && [ "${on_r:-0}" -gt 0 ] &&
		[ "${off_r:-0}" -gt 0 ] || rc=1
	return "$rc"
}
tap_check "iperf3 over VXLAN, tunnel offloads on and off (figures)" vxlan_iperf

# ---- clean up ----------------------------------------------------------------------------------
features_restored() {
	local f rc=0
	for f in "${!BEFORE[@]}"; do
		[ "$(feat "$f" active)/$(feat "$f" fixed)" = "${BEFORE[$f]}" ] ||
			{ echo "$f: ${BEFORE[$f]} before, $(feat "$f" active)/$(feat "$f" fixed) now"; rc=1; }
	done
	return "$rc"
}
tap_run "every tunnel feature is back as it was (active/fixed)" features_restored

no_device_drops() {
	local rc=0 n v
	for n in tx_drop_bad_descriptor tx_drop_bad_header tx_drop_bad_mss tx_drop_bad_length \
		tx_drop_unsupported drv:tx_dropped; do
		v=$(grew "$n")
		echo "$n: +$v"
		[ "$v" = 0 ] || rc=1
	done
	return "$rc"
}
tap_run "the device dropped no tunnel packet (tx_drop_* unchanged)" no_device_drops
[ -s /ofnic-out/guest-errors.log ] && head -n 5 /ofnic-out/guest-errors.log | tap_diag

tunnels_gone() {
	local t
	for t in vx4 vx4c vx6 gn4 vxr; do
		ip link del "$t" 2>/dev/null
		rns ip link del "$t" 2>/dev/null
	done
	sleep 0.5
	[ "$(tunnels | grep -cE '^ +port [0-9]+, ')" = 0 ] || { tunnels; return 1; }
}
if [ "$(feat rx-udp_tunnel-port-offload fixed)" = false ]; then
	tap_run "tunnels deleted: the port table is empty" tunnels_gone
else
	tunnels_gone >/dev/null
	tap_skip "tunnels deleted: the port table is empty" "no port table (capabilities $CAPS)"
fi
b_raw_rx restore
teardown_pair "$A"
rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
