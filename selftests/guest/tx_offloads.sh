#!/bin/bash
# ofnic-test: TX offloads (checksums, TSO4/6, ECN, MANGLEID, USO, UFO, VLAN insert)
# In-guest test of the TX offloads (TAP): checksum (generic and SCTP CRC), TSO over IPv4 and
# IPv6 (with ECN, IPv4 ID mangling and an IPv6 extension header), USO, UFO and VLAN insertion,
# on two ofnic ports wired back to back, port B in the namespace "remote".
#
# A feature that ethtool -k shows "[fixed]" off (the device lacks the capability) is skipped,
# saying so. Otherwise the feature is flipped off and on while traffic runs, and the test looks
# at what the driver handed to the device (tcpdump on port A sees the packets as the driver
# gets them: super-packets larger than the MTU), at what arrived (tcpdump in the remote
# namespace: frames within the MTU, checksums that tcpdump -vv verifies, since port B has no
# RX checksum offload; sockets there check every payload byte), and at the counters of the
# device and the driver in ethtool -S.
#
# UFO cannot be seen in ethtool -k (NETIF_F_GSO_UDP has no name): its test always runs. A UDP
# datagram goes out as a UFO packet from a PACKET_VNET_HDR socket; the remote must receive it
# whole. With OFNIC_CAP_UFO the device must get it whole and fragment it; without, the stack
# fragments it before the driver, and that is checked too.
#
# Run: tools/vm selftests/guest/tx_offloads.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
TXGEN=/ofnic/selftests/lib/txgen.py
RXGEN=/ofnic/selftests/lib/rxgen.py
YNL=/ofnic/out/kselftest/$(uname -r | cut -d. -f1-2)/net/lib/ynl
MTU=1500
ETH_HLEN=14
V4_VLAN_LOCAL=198.51.100.1
V4_VLAN_REMOTE=198.51.100.2
VID=100
W=/tmp/txo
rm -rf "$W"
mkdir -p "$W"

tap_plan 34
dmesg -C

ofnic_pair
b_raw_rx off
B_MAC=$(rns cat "/sys/class/net/$B/address")

# tso_check VER ADDR: TCP super-packets leave A, B gets MTU-sized frames with good checksums
tso_check() {
	local v=$1 addr=$2 m big maxa maxb rc=0 pk sg gso
	snap tx_tso_packets tx_tso_segments drv:tx_hw_gso_packets drv:tx_hw_gso_wire_packets
	cap_start txa - "$A" 128 "tcp and dst host $addr" || return 1
	cap_start rxb "$REMOTE_NS" "$B" 0 "tcp and dst host $addr" || return 1
	iperf_start "$addr" 3
	iperf_end || rc=1
	m=$MBPS
	cap_stop txa
	cap_stop rxb
	big=$(count_over txa $((MTU + ETH_HLEN)))
	maxa=$(max_len txa)
	maxb=$(max_len rxb)
	pk=$(grew tx_tso_packets)
	sg=$(grew tx_tso_segments)
	gso=$(grew drv:tx_hw_gso_packets)
	echo "IPv$v: $m Mbit/s; A handed over $big super-packets (largest frame $maxa);" \
		"B's largest frame $maxb; device: $pk TSO packets, $sg segments; driver: $gso"
	[ "${m:-0}" -gt 0 ] || rc=1
	[ "$big" -gt 0 ] || { echo "no frame larger than the MTU left the driver"; rc=1; }
	[ "${maxb:-0}" -le $((MTU + ETH_HLEN)) ] || { echo "B received frames beyond the MTU"; rc=1; }
	check_csums rxb || rc=1
	[ "$pk" -gt 0 ] && [ "$sg" -gt "$pk" ] || { echo "device TSO counters did not grow"; rc=1; }
	[ "$gso" -gt 0 ] || { echo "driver GSO counter did not grow"; rc=1; }
	if [ "$v" = 4 ]; then
		# IDs go up by one from segment to segment (only FIXEDID packets keep theirs)
		cap_read rxb -v | sed -n 's/.* id \([0-9]*\), .* length \([0-9]*\))$/\1 \2/p' |
			awk '$2 > 1000 { if (n++) { d = ($1 - p + 65536) % 65536; if (d == 1) inc++ } p = $1 }
			     END { printf "IPv4 IDs: %d of %d steps are +1\n", inc, n - 1; exit !(n > 10 && inc * 2 > n) }' ||
			rc=1
	fi
	return "$rc"
}

# udp_check VER ADDR GSO: USO datagrams leave A whole, B receives every segment intact
udp_check() {
	local v=$1 addr=$2 gso=$3 port=$((9100 + $1)) out big maxb rc=0 pk sg
	snap tx_uso_packets tx_uso_segments drv:tx_hw_gso_packets
	cap_start txa - "$A" 128 "udp and dst host $addr" || return 1
	cap_start rxb "$REMOTE_NS" "$B" 0 "udp and dst host $addr" || return 1
	rns python3 "$TXGEN" udp-recv "$addr" "$port" 200 "$gso" 20 >"$W/udp.out" 2>"$W/udp.err" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$W/udp.err" && break; sleep 0.1; done
	python3 "$TXGEN" udp-send "$addr" "$port" $((gso * 10)) 20 "$gso" || rc=1
	wait "$rpid"
	cap_stop txa
	cap_stop rxb
	out=$(cat "$W/udp.out")
	big=$(count_over txa $((MTU + ETH_HLEN)))
	maxb=$(max_len rxb)
	pk=$(grew tx_uso_packets)
	sg=$(grew tx_uso_segments)
	echo "IPv$v: B received (datagrams bytes bad) $out of 200 x $gso; A handed over $big" \
		"super-datagrams; B's largest frame $maxb; device: $pk USO packets, $sg segments"
	[ "$out" = "200 $((200 * gso)) 0" ] || rc=1
	[ "$big" -gt 0 ] || { echo "no datagram larger than the MTU left the driver"; rc=1; }
	[ "${maxb:-0}" -le $((MTU + ETH_HLEN)) ] || rc=1
	check_csums rxb || rc=1
	[ "$pk" -gt 0 ] && [ "$sg" -ge $((pk * 10)) ] || { echo "device USO counters did not grow"; rc=1; }
	return "$rc"
}

# ufo_check VER SRC DST GSO HW: one 8000-byte datagram from a PACKET_VNET_HDR socket as UFO;
# HW=1: the device must get it whole, HW=0: the stack fragments it before the driver
ufo_check() {
	local v=$1 src=$2 dst=$3 gso=$4 hw=$5 port=$((9200 + $1)) size=8000 out big n pk rc=0
	# every fragment carries the protocol (IPv4) or a fragment header (IPv6)
	local f="ip and dst host $dst and ip proto 17"
	[ "$v" = 6 ] && f="ip6 and dst host $dst and (ip6 proto 17 or ip6 proto 44)"
	snap tx_ufo_packets tx_ufo_fragments
	cap_start txa - "$A" 128 "$f" || return 1
	rns python3 "$TXGEN" udp-recv "$dst" "$port" 1 "$size" 10 >"$W/ufo.out" 2>"$W/ufo.err" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$W/ufo.err" && break; sleep 0.1; done
	python3 "$TXGEN" ufo-send "$A" "$B_MAC" "$src" "$dst" "$port" "$size" "$gso" || rc=1
	wait "$rpid"
	cap_stop txa
	out=$(cat "$W/ufo.out")
	n=$(frame_lens txa | wc -l)
	big=$(count_over txa $((MTU + ETH_HLEN)))
	pk=$(grew tx_ufo_packets)
	echo "IPv$v: B received (datagrams bytes bad) $out; A handed over $n frames, $big beyond" \
		"the MTU; device: $pk UFO packets, $(grew tx_ufo_fragments) fragments"
	[ "$out" = "1 $size 0" ] || { echo "the datagram did not arrive whole and intact"; rc=1; }
	if [ "$hw" = 1 ]; then
		[ "$big" = 1 ] && [ "$n" = 1 ] || { echo "the driver did not get the datagram whole"; rc=1; }
		[ "$pk" -gt 0 ] || { echo "device UFO counter did not grow"; rc=1; }
	else
		[ "$big" = 0 ] && [ "$n" -gt 1 ] || { echo "expected fragments from the stack"; rc=1; }
	fi
	return "$rc"
}

# ---- features --------------------------------------------------------------------------------
declare -A BEFORE
for f in tx-scatter-gather tx-checksum-ip-generic tx-checksum-sctp tx-tcp-segmentation \
	tx-tcp6-segmentation tx-tcp-ecn-segmentation tx-tcp-mangleid-segmentation \
	tx-udp-segmentation tx-gso-robust tx-vlan-hw-insert; do
	BEFORE[$f]=$(feat "$f" active)/$(feat "$f" fixed)
done
ethtool -k "$A" | grep -E '^(tx|scatter|tcp|generic-seg)|^	tx-' | tap_diag

# Each feature is changeable exactly when its capability bit is set (TSO and USO also need
# the checksum capability), and then on by default.
features_match_caps() {
	local rc=0 f bit want csum=0 seg=0
	has_cap 0 && csum=1
	for bit in 3 4 7 8; do has_cap $bit && seg=1; done
	while read -r f bit need; do
		want=false
		if has_cap "$bit" && { [ "$need" = - ] || [ "$csum" = 1 ]; }; then
			want=true
		fi
		case "$f" in
		tx-tcp-ecn-segmentation) { has_cap 3 || has_cap 4; } || want=false ;;
		tx-tcp-mangleid-segmentation) has_cap 3 || want=false ;;
		tx-gso-robust) want=$([ $((csum * seg)) = 1 ] && echo true || echo false) ;;
		esac
		[ "$(feat "$f" fixed)" = "$([ "$want" = true ] && echo false || echo true)" ] &&
			[ "$(feat "$f" active)" = "$want" ] ||
			{ echo "$f: fixed=$(feat "$f" fixed) active=$(feat "$f" active), capability says $want"; rc=1; }
	done <<-EOF
	tx-checksum-ip-generic 0 -
	tx-checksum-sctp 1 -
	tx-tcp-segmentation 3 csum
	tx-tcp6-segmentation 4 csum
	tx-tcp-ecn-segmentation 5 csum
	tx-tcp-mangleid-segmentation 6 csum
	tx-udp-segmentation 7 csum
	tx-gso-robust 0 csum
	tx-vlan-hw-insert 9 -
	EOF
	return "$rc"
}
tap_run "TX features follow the capabilities ($CAPS): changeable and on, or [fixed] off" \
	features_match_caps

snap tx_drop_bad_descriptor tx_drop_bad_header tx_drop_bad_mss tx_drop_bad_length \
	tx_drop_unsupported drv:tx_dropped

# ---- scatter-gather and checksums ------------------------------------------------------------------
tap_run "tx-scatter-gather: off/on under iperf3" toggle_under_iperf tx-scatter-gather "$REMOTE_V4"

if usable tx-checksum-ip-generic "tx-checksum-ip-generic: off/on under iperf3"; then
	tap_run "tx-checksum-ip-generic: off/on under iperf3" \
		toggle_under_iperf tx-checksum-ip-generic "$REMOTE_V4"
fi

# tx-checksum-ip-generic off: the stack computes every TCP checksum (the device inserts none,
# tx_csum_inserted) and B gets them right; on again: the device inserts them
csum_off_check() {
	local rc=0 off on
	ethtool -K "$A" tx-checksum-ip-generic off >/dev/null || return 1
	snap tx_csum_inserted
	cap_start rxb "$REMOTE_NS" "$B" 0 "tcp and dst host $REMOTE_V4" || rc=1
	iperf_start "$REMOTE_V4" 2
	iperf_end || rc=1
	cap_stop rxb
	off=$(grew tx_csum_inserted)
	ethtool -K "$A" tx-checksum-ip-generic on >/dev/null || rc=1
	snap tx_csum_inserted
	iperf_start "$REMOTE_V4" 2
	iperf_end || rc=1
	on=$(grew tx_csum_inserted)
	echo "checksums the device inserted: $off with tx-checksum-ip-generic off, $on with it on"
	check_csums rxb || rc=1
	[ "$off" = 0 ] && [ "$on" -gt 0 ] || rc=1
	return "$rc"
}
if usable tx-checksum-ip-generic "tx-checksum-ip-generic off: the stack computes the checksums"; then
	tap_check "tx-checksum-ip-generic off: the stack computes the checksums" csum_off_check
fi

csum_check() {	# plain (unsegmented) TCP and UDP: checksums filled by the device
	local rc=0 m out c d
	ethtool -K "$A" tx-tcp-segmentation off tx-tcp6-segmentation off tx-udp-segmentation off \
		>/dev/null 2>&1
	snap tx_csum_inserted drv:tx_needs_csum
	cap_start rxb "$REMOTE_NS" "$B" 0 "(tcp or udp) and dst host $REMOTE_V4" || return 1
	iperf_start "$REMOTE_V4" 2
	iperf_end || rc=1
	m=$MBPS
	rns python3 "$TXGEN" udp-recv "$REMOTE_V4" 9300 50 1000 10 >"$W/udp.out" 2>"$W/udp.err" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$W/udp.err" && break; sleep 0.1; done
	python3 "$TXGEN" udp-send "$REMOTE_V4" 9300 1000 50 || rc=1
	wait "$rpid"
	cap_stop rxb
	ethtool -K "$A" tx-tcp-segmentation on tx-tcp6-segmentation on tx-udp-segmentation on \
		>/dev/null 2>&1
	out=$(cat "$W/udp.out")
	c=$(grew tx_csum_inserted)
	d=$(grew drv:tx_needs_csum)
	echo "TCP $m Mbit/s, UDP received $out; device inserted $c checksums, driver asked $d"
	[ "${m:-0}" -gt 0 ] && [ "$out" = "50 50000 0" ] || rc=1
	check_csums rxb || rc=1
	[ "$c" -gt 0 ] && [ "$d" -gt 0 ] || { echo "checksum counters did not grow"; rc=1; }
	return "$rc"
}
if usable tx-checksum-ip-generic "checksum offload: TCP and UDP arrive with good checksums"; then
	tap_run "checksum offload: TCP and UDP arrive with good checksums" csum_check
fi

# SCTP checksum errors the stack of namespace NS counted (SctpChecksumErrors)
sctp_csum_errors() { ip netns exec "$1" awk '$1 == "SctpChecksumErrors" { print $2 }' /proc/net/sctp/snmp; }
sctp_check() {	# an SCTP transfer with the CRC32c from the device, then from software
	local rc=0 c s1 s2 state e0 e1 rxcsum
	modprobe -q sctp	# its counters appear with the module
	head -c 300000 /dev/urandom >"$W/sctp.in"
	s1=$(md5sum <"$W/sctp.in")
	# The receiver checks each CRC32c in software (the kernel's crc32c, not the device's
	# code): B's RX checksum offload is off for the transfers.
	rxcsum=$(rns ethtool -k "$B" | awk '/^rx-checksumming:/ { print $2 }')
	rns ethtool -K "$B" rx off || rc=1
	e0=$(sctp_csum_errors "$REMOTE_NS")
	for state in on off on; do
		ethtool -K "$A" tx-checksum-sctp "$state" >/dev/null || rc=1
		snap tx_sctp_crc_inserted
		rm -f "$W/sctp.out"
		rns timeout 30 socat -u SCTP-LISTEN:9400,bind="$REMOTE_V4",reuseaddr \
			CREATE:"$W/sctp.out" &
		local rpid=$!
		sleep 1
		timeout 30 socat -u OPEN:"$W/sctp.in" SCTP-CONNECT:"$REMOTE_V4":9400 || rc=1
		wait "$rpid" || rc=1
		s2=$(md5sum <"$W/sctp.out" 2>/dev/null)
		c=$(grew tx_sctp_crc_inserted)
		echo "tx-checksum-sctp $state: transfer $([ "$s1" = "$s2" ] && echo intact || echo BROKEN), device CRCs $c"
		[ "$s1" = "$s2" ] || rc=1
		if [ "$state" = on ]; then
			[ "$c" -gt 0 ] || rc=1
		fi
	done
	e1=$(sctp_csum_errors "$REMOTE_NS")
	rns ethtool -K "$B" rx "$rxcsum" || rc=1
	echo "SCTP checksum errors counted by B's stack: $e0 -> $e1"
	[ -n "$e1" ] && [ "$e1" = "$e0" ] || rc=1
	no_warn || rc=1
	return "$rc"
}
if usable tx-checksum-sctp "tx-checksum-sctp: SCTP transfers with CRC32c offload on and off"; then
	tap_check "tx-checksum-sctp: SCTP transfers with CRC32c offload on and off" sctp_check
fi

# ---- TSO ----------------------------------------------------------------------------------------
if usable tx-tcp-segmentation "TSO IPv4: off/on under iperf3"; then
	tap_run "TSO IPv4: off/on under iperf3" toggle_under_iperf tx-tcp-segmentation "$REMOTE_V4"
fi
if usable tx-tcp-segmentation "TSO IPv4: super-packets to the device, MTU frames on the wire"; then
	tap_run "TSO IPv4: super-packets to the device, MTU frames on the wire" \
		tso_check 4 "$REMOTE_V4"
fi
# tso_off_check VER ADDR FEATURE: with FEATURE off the stack segments: the driver gets only
# MTU-sized frames and the device segments nothing (tx_tso_packets)
tso_off_check() {
	local v=$1 addr=$2 f=$3 rc=0 m big pk
	ethtool -K "$A" "$f" off >/dev/null || return 1
	snap tx_tso_packets
	cap_start txa - "$A" 128 "tcp and dst host $addr" || rc=1
	iperf_start "$addr" 2
	iperf_end || rc=1
	m=$MBPS
	cap_stop txa
	pk=$(grew tx_tso_packets)
	ethtool -K "$A" "$f" on >/dev/null || rc=1
	big=$(count_over txa $((MTU + ETH_HLEN)))
	echo "$f off: IPv$v $m Mbit/s, $big frames beyond the MTU handed to the driver," \
		"$pk packets the device segmented"
	[ "${m:-0}" -gt 0 ] && [ "$big" = 0 ] && [ "$pk" = 0 ] || rc=1
	return "$rc"
}
if usable tx-tcp-segmentation "TSO IPv4 off: the stack segments, the driver gets MTU frames"; then
	tap_check "TSO IPv4 off: the stack segments, the driver gets MTU frames" \
		tso_off_check 4 "$REMOTE_V4" tx-tcp-segmentation
fi

if usable tx-tcp6-segmentation "TSO IPv6: off/on under iperf3"; then
	tap_run "TSO IPv6: off/on under iperf3" toggle_under_iperf tx-tcp6-segmentation "$REMOTE_V6"
fi
if usable tx-tcp6-segmentation "TSO IPv6: super-packets to the device, MTU frames on the wire"; then
	tap_run "TSO IPv6: super-packets to the device, MTU frames on the wire" \
		tso_check 6 "$REMOTE_V6"
fi

if usable tx-tcp6-segmentation "TSO IPv6 off: the stack segments, the driver gets MTU frames"; then
	tap_check "TSO IPv6 off: the stack segments, the driver gets MTU frames" \
		tso_off_check 6 "$REMOTE_V6" tx-tcp6-segmentation
fi

tso6_exthdr_check() {	# TCP over IPv6 with a destination options header: l3_len covers it
	local rc=0 out big
	cap_start txa - "$A" 128 "dst host $REMOTE_V6" || return 1
	cap_start rxb "$REMOTE_NS" "$B" 0 "dst host $REMOTE_V6" || return 1
	rns python3 "$TXGEN" tcp-recv "$REMOTE_V6" 9500 20 >"$W/tcp.out" 2>"$W/tcp.err" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$W/tcp.err" && break; sleep 0.1; done
	python3 "$TXGEN" tcp-send "$REMOTE_V6" 9500 3000000 dstopts || rc=1
	wait "$rpid"
	cap_stop txa
	cap_stop rxb
	out=$(cat "$W/tcp.out")
	big=$(count_over txa $((MTU + ETH_HLEN)))
	echo "B received (bytes bad) $out; A handed over $big super-packets;" \
		"$(cap_read rxb -v | grep -c 'DSTOPT') frames at B carry the header"
	[ "$out" = "3000000 0" ] || rc=1
	[ "$big" -gt 0 ] || rc=1
	[ "$(max_len rxb)" -le $((MTU + ETH_HLEN)) ] || rc=1
	cap_read rxb -v | grep -q DSTOPT || { echo "no destination options header at B"; rc=1; }
	check_csums rxb || rc=1
	return "$rc"
}
if usable tx-tcp6-segmentation "TSO IPv6 with a destination options header"; then
	tap_run "TSO IPv6 with a destination options header" tso6_exthdr_check
fi

ecn_check() {	# CWR stays on the first segment of a super-packet; with the feature off the
		# stack segments every packet that carries CWR
	local rc=0 m ca cb sp state
	modprobe -q sch_netem
	sysctl -qw net.ipv4.tcp_ecn=1
	rns sysctl -qw net.ipv4.tcp_ecn=1
	# netem marks CE instead of dropping ECN-capable packets: the sender answers with CWR
	tc qdisc replace dev "$A" root netem loss 3% ecn || return 1
	for state in off on; do
		ethtool -K "$A" tx-tcp-ecn-segmentation "$state" || rc=1
		cap_start txa - "$A" 128 "tcp[13] & 0x80 != 0 and dst host $REMOTE_V4" || rc=1
		cap_start rxb "$REMOTE_NS" "$B" 128 "tcp[13] & 0x80 != 0 and dst host $REMOTE_V4" || rc=1
		iperf_start "$REMOTE_V4" 3
		iperf_end || rc=1
		m=$MBPS
		cap_stop txa
		cap_stop rxb
		ca=$(frame_lens txa | wc -l)
		cb=$(frame_lens rxb | wc -l)
		sp=$(count_over txa $((MTU + ETH_HLEN)))
		echo "tx-tcp-ecn-segmentation $state: $m Mbit/s; CWR on $ca packets handed to the" \
			"driver ($sp of them super-packets), on $cb frames at B"
		[ "$ca" -gt 0 ] || { echo "no CWR was sent"; rc=1; }
		[ "$cb" -gt 0 ] && [ "$cb" -le "$ca" ] || { echo "CWR was copied to later segments"; rc=1; }
		[ "$state" = on ] || [ "$sp" = 0 ] ||
			{ echo "the driver got super-packets with CWR with the feature off"; rc=1; }
	done
	tc qdisc del dev "$A" root
	sysctl -qw net.ipv4.tcp_ecn=2
	rns sysctl -qw net.ipv4.tcp_ecn=2
	return "$rc"
}
if usable tx-tcp-ecn-segmentation "TSO ECN: off/on under iperf3"; then
	tap_run "TSO ECN: off/on under iperf3" toggle_under_iperf tx-tcp-ecn-segmentation "$REMOTE_V4"
fi
if usable tx-tcp-ecn-segmentation "TSO ECN: off, the stack segments CWR packets; on, CWR only on the first segment"; then
	tap_check "TSO ECN: off, the stack segments CWR packets; on, CWR only on the first segment" ecn_check
fi
# The stack lets a device fix the IPv4 ID of segments only for super-packets marked FIXEDID
# (GRO's, forwarded); a local TCP sender's are not: its IDs count up through every segment
# the device cuts, with the feature on as off.
mangleid_check() {
	local rc=0 state n same t
	for state in off on; do
		ethtool -K "$A" tx-tcp-mangleid-segmentation "$state" || rc=1
		snap tx_tso_packets
		cap_start rxb "$REMOTE_NS" "$B" 96 "tcp and dst host $REMOTE_V4 and greater 1000" || rc=1
		iperf_start "$REMOTE_V4" 3
		iperf_end || rc=1
		cap_stop rxb
		t=$(grew tx_tso_packets)
		read -r n same < <(cap_read rxb -v | sed -n 's/.*, id \([0-9]*\),.*/\1/p' |
			awk 'NR > 1 && $1 == p { s++ } { p = $1; n++ } END { print n + 0, s + 0 }')
		echo "tx-tcp-mangleid-segmentation $state: $MBPS Mbit/s, $t TSO packets;" \
			"$n data frames at B, $same with the ID of the frame before"
		[ "$n" -gt 100 ] && [ "$t" -gt 0 ] && [ "$same" = 0 ] || rc=1
	done
	no_warn || rc=1
	return "$rc"
}
if usable tx-tcp-mangleid-segmentation "TSO IPv4 ID mangling off/on: a local sender's IDs count up"; then
	tap_check "TSO IPv4 ID mangling off/on: a local sender's IDs count up" mangleid_check
fi

# ---- USO ----------------------------------------------------------------------------------------
# uso_send COUNT: COUNT sends of 14000 bytes with UDP_SEGMENT 1400 (10 datagrams each) from A,
# 20 ms apart; leaves B's "datagrams bytes bad" in $W/udp.out
uso_send() {
	rns python3 "$TXGEN" udp-recv "$REMOTE_V4" 9600 $(($1 * 10)) 1400 $(($1 / 40 + 5)) \
		>"$W/udp.out" 2>"$W/udp.err" &
	local rpid=$! rc=0
	for _ in $(seq 50); do grep -q ready "$W/udp.err" && break; sleep 0.1; done
	python3 "$TXGEN" udp-send "$REMOTE_V4" 9600 14000 "$1" 1400 || rc=1
	wait "$rpid"
	return "$rc"
}
# USO off: the stack segments (the device gets no USO packet); on: the device gets every send
# whole; flipped while 250 sends go out: every one of the 2500 datagrams arrives intact
uso_toggle() {
	local rc=0 state want n
	for state in off on; do
		want=$([ "$state" = on ] && echo 20 || echo 0)
		ethtool -K "$A" tx-udp-segmentation "$state" >/dev/null || return 1
		snap tx_uso_packets
		uso_send 20 || rc=1
		n=$(grew tx_uso_packets)
		echo "USO $state: B received (datagrams bytes bad) $(cat "$W/udp.out") of 200;" \
			"device USO packets $n of 20 sends (want $want)"
		[ "$(cat "$W/udp.out")" = "200 280000 0" ] && [ "$n" = "$want" ] || rc=1
	done
	uso_send 250 &
	local spid=$!
	sleep 0.5
	flip tx-udp-segmentation || rc=1
	wait "$spid" || rc=1
	echo "flipped: B received $(cat "$W/udp.out") of 2500"
	[ "$(cat "$W/udp.out")" = "2500 3500000 0" ] || rc=1
	no_warn || rc=1
	return "$rc"
}
if usable tx-udp-segmentation "USO: off the stack segments, on the device does; flipped, every datagram arrives"; then
	tap_check "USO: off the stack segments, on the device does; flipped, every datagram arrives" uso_toggle
fi
if usable tx-udp-segmentation "USO IPv4: whole datagrams to the device, every segment arrives"; then
	tap_run "USO IPv4: whole datagrams to the device, every segment arrives" \
		udp_check 4 "$REMOTE_V4" 1400
fi
if usable tx-udp-segmentation "USO IPv6: whole datagrams to the device, every segment arrives"; then
	tap_run "USO IPv6: whole datagrams to the device, every segment arrives" \
		udp_check 6 "$REMOTE_V6" 1400
fi

# UDP GSO at the length limit, sg off (the stack linearizes): 65493 bytes of payload make the
# largest skb the core hands over (65535 bytes, one data descriptor: gso_features_check()
# segments skb->len >= gso_max_size in software); 7 bytes more and the stack segments it
uso_limit_check() {	# uso_limit_check GSO SEGS DEVICE_PACKETS_PER_DATAGRAM
	local gso=$1 segs=$2 per=$3 port=9110 n=5 out pk rc=0
	snap tx_uso_packets drv:tx_dma_map_errors drv:tx_dropped
	rns python3 "$TXGEN" udp-recv "$REMOTE_V4" "$port" $((n * segs)) "$gso" 20 \
		>"$W/udpl.out" 2>"$W/udpl.err" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$W/udpl.err" && break; sleep 0.1; done
	python3 "$TXGEN" udp-send "$REMOTE_V4" "$port" $((gso * segs)) "$n" "$gso" || rc=1
	wait "$rpid"
	out=$(cat "$W/udpl.out")
	pk=$(grew tx_uso_packets)
	echo "$((gso * segs + 42))-byte skbs: B received (datagrams bytes bad) $out of" \
		"$((n * segs)) x $gso; device: $pk USO packets; driver:" \
		"$(grew drv:tx_dma_map_errors) DMA map errors, $(grew drv:tx_dropped) drops"
	[ "$out" = "$((n * segs)) $((n * segs * gso)) 0" ] || rc=1
	[ "$pk" = $((n * per)) ] || { echo "expected $((n * per)) USO packets at the device"; rc=1; }
	[ "$(grew drv:tx_dma_map_errors)" = 0 ] && [ "$(grew drv:tx_dropped)" = 0 ] || rc=1
	return "$rc"
}
uso_limit() {
	local rc=0
	ethtool -K "$A" sg off >/dev/null || return 1
	[ "$(feat tx-udp-segmentation active)" = true ] || { echo "USO went off with sg"; rc=1; }
	uso_limit_check 1149 57 1 || rc=1
	uso_limit_check 1310 50 0 || rc=1
	ethtool -K "$A" sg on >/dev/null || rc=1
	no_warn || rc=1
	return "$rc"
}
if usable tx-udp-segmentation "USO at the length limit, sg off: a 65535-byte linear skb whole to the device"; then
	tap_run "USO at the length limit, sg off: a 65535-byte linear skb whole to the device" uso_limit
fi

# ---- UFO ----------------------------------------------------------------------------------------
# NETIF_F_GSO_UDP has no feature name: by default it is in none of the hw/wanted/active sets
# (ethtool and the selftests would read a nameless bit); the private flag tx-udp-fragmentation
# asks for device UFO.
if [ -f "$YNL/cli.py" ]; then
	tap_check "every hw/wanted/active feature bit has a name (ethtool netlink)" \
		python3 "$RXGEN" feature-names "$YNL" "$A"
else
	tap_skip "every hw/wanted/active feature bit has a name (ethtool netlink)" \
		"no ynl CLI at $YNL (tools/build-selftests installs it)"
fi
tap_run "UFO by default (private flag tx-udp-fragmentation off): the stack fragments" \
	ufo_check 4 "$LOCAL_V4" "$REMOTE_V4" 1480 0
UFO_HW=0
if has_cap 8 && has_cap 0 && [ "$(feat tx-gso-robust active)" = true ]; then
	UFO_HW=1
	ethtool --set-priv-flags "$A" tx-udp-fragmentation on || UFO_HW=0
fi
ufo_how=$([ $UFO_HW = 1 ] && echo "private flag on: fragmented by the device" || echo "device lacks OFNIC_CAP_UFO: fragmented by the stack")
tap_run "UFO IPv4 from a PACKET_VNET_HDR socket arrives whole ($ufo_how)" \
	ufo_check 4 "$LOCAL_V4" "$REMOTE_V4" 1480 "$UFO_HW"
tap_run "UFO IPv6 from a PACKET_VNET_HDR socket arrives whole ($ufo_how)" \
	ufo_check 6 "$LOCAL_V6" "$REMOTE_V6" 1448 "$UFO_HW"
ufo_robust_off() {	# untrusted GSO packets back to software: the stack fragments
	local rc=0
	ethtool -K "$A" tx-gso-robust off >/dev/null || return 1
	ufo_check 4 "$LOCAL_V4" "$REMOTE_V4" 1480 0 || rc=1
	ethtool -K "$A" tx-gso-robust on >/dev/null || rc=1
	no_warn || rc=1
	return "$rc"
}
if usable tx-gso-robust "UFO with tx-gso-robust off: the stack fragments, the datagram arrives"; then
	tap_run "UFO with tx-gso-robust off: the stack fragments, the datagram arrives" ufo_robust_off
fi
[ $UFO_HW = 0 ] || ethtool --set-priv-flags "$A" tx-udp-fragmentation off
tap_run "private flag tx-udp-fragmentation off again: no UFO in the active features" \
	bash -c "! ethtool --show-priv-flags $A | grep -q 'tx-udp-fragmentation.*on'"

# ---- VLAN insertion ----------------------------------------------------------------------------
vlan_setup() {
	modprobe -q 8021q
	ip link add link "$A" name "$A.$VID" type vlan id "$VID" || return 1
	ip addr add "$V4_VLAN_LOCAL/24" dev "$A.$VID"
	ip link set "$A.$VID" up
	rns ip link add link "$B" name "$B.$VID" type vlan id "$VID" || return 1
	rns ip addr add "$V4_VLAN_REMOTE/24" dev "$B.$VID"
	rns ip link set "$B.$VID" up
	ping -q -c2 -W2 "$V4_VLAN_REMOTE" >/dev/null
}
vlan_check() {	# tags inserted by the device reach B, with TSO and checksums underneath
	local rc=0 m tagged maxb v d
	snap tx_vlan_inserted drv:tx_vlan_inserted
	cap_start rxb "$REMOTE_NS" "$B" 0 "vlan $VID" || return 1
	ping -c3 -i0.2 -W2 "$V4_VLAN_REMOTE" >/dev/null || { echo "no ping over VLAN $VID"; rc=1; }
	iperf_start "$V4_VLAN_REMOTE" 2
	iperf_end || rc=1
	m=$MBPS
	cap_stop rxb
	tagged=$(cap_read rxb | grep -c "vlan $VID,")
	maxb=$(max_len rxb)
	v=$(grew tx_vlan_inserted)
	d=$(grew drv:tx_vlan_inserted)
	echo "iperf3 over VLAN $VID: $m Mbit/s; B saw $tagged tagged frames (largest $maxb);" \
		"device inserted $v tags, driver asked for $d"
	[ "${m:-0}" -gt 0 ] && [ "$tagged" -gt 0 ] || rc=1
	[ "${maxb:-0}" -le $((MTU + ETH_HLEN + 4)) ] || rc=1
	check_csums rxb || rc=1
	[ "$v" -gt 0 ] && [ "$d" -gt 0 ] || { echo "VLAN counters did not grow"; rc=1; }
	return "$rc"
}
if usable tx-vlan-hw-insert "VLAN insertion: off/on under iperf3 over $A.$VID"; then
	tap_run "VLAN $VID on $A and $B" vlan_setup
	tap_run "VLAN insertion: off/on under iperf3 over $A.$VID" \
		toggle_under_iperf tx-vlan-hw-insert "$V4_VLAN_REMOTE"
	tap_run "VLAN insertion: B sees tagged frames, TSO and checksums under the tag" vlan_check
else
	tap_skip "VLAN $VID on $A and $B" "tx-vlan-hw-insert is [fixed] off"
	tap_skip "VLAN insertion: B sees tagged frames, TSO and checksums under the tag" \
		"tx-vlan-hw-insert is [fixed] off: device lacks the capability"
fi
ip link del "$A.$VID" 2>/dev/null

# ---- the end ---------------------------------------------------------------------------------
features_restored() {
	local rc=0 f now
	for f in "${!BEFORE[@]}"; do
		now=$(feat "$f" active)/$(feat "$f" fixed)
		[ "$now" = "${BEFORE[$f]}" ] || { echo "$f: was ${BEFORE[$f]}, now $now"; rc=1; }
	done
	return "$rc"
}
tap_run "every TX feature is back as it was (active/fixed)" features_restored

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
tap_run "the device dropped no offload packet (tx_drop_* unchanged)" no_device_drops
[ -s /ofnic-out/guest-errors.log ] && head -n 5 /ofnic-out/guest-errors.log | tap_diag
b_raw_rx restore
teardown_pair "$A"
rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
