#!/bin/bash
# ofnic-test: RX offloads (checksum, VLAN strip/filter, RSS/contexts, ntuple, coalescing, jumbo, LRO/HW-GRO)
# In-guest test of the RX offloads (TAP) on two ofnic ports wired back to back, port B in the
# namespace "remote", traffic mostly from B to A so that A's receive path is under test:
#  - features: each RX feature is changeable exactly when its capability bit is set;
#  - RX checksum: good and bad UDP checksums, with rx-checksumming on and off (device and
#    driver counters, the stack's InCsumErrors);
#  - VLAN: strip on/off over a VLAN device, the filter dropping a VID nobody registered;
#  - RSS: ethtool -x/-X (key, equal, weight, default, hfunc), re-spread on ethtool -L,
#    rx-flow-hash, 64 UDP flows spread over the queues (max/min per queue printed), contexts;
#  - ntuple: steering to a queue, to a context with a queue offset, drop, IPv4/IPv6, rules
#    through down/up and gone with ntuple off, bad rules refused;
#  - interrupt moderation: ethtool -c/-C and per-queue round trips;
#  - queue statistics (netdev qstats) against the link statistics;
#  - MTU 9000: ping and iperf3 both ways;
#  - LRO and HW-GRO: iperf3 with each and without (figures as TAP comments), coalesced
#    counters, byte-exact TCP transfers, and HW-GRO packets forwarded to a third namespace
#    where the stack segments them again.
# A check whose device capability is missing is skipped, saying which bit (caps).
#
# Run: tools/vm selftests/guest/rx_offloads.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
TXGEN=/ofnic/selftests/lib/txgen.py
RXGEN=/ofnic/selftests/lib/rxgen.py
YNL=/ofnic/out/kselftest/$(uname -r | cut -d. -f1-2)/net/lib/ynl
VID=100
VID_OTHER=200
V4_VLAN_LOCAL=198.51.100.1
V4_VLAN_REMOTE=198.51.100.2
V4_OTHER_REMOTE=198.18.0.2
FAR_NS=far
V4_FAR_GW=203.0.113.1
V4_FAR=203.0.113.2
W=/tmp/rxo
rm -rf "$W"
mkdir -p "$W"

tap_plan 32
dmesg -C

ofnic_pair
declare -A CAPNAME=([10]=RX_VLAN_STRIP [11]=RX_VLAN_FILTER [12]=RX_CSUM [13]=LRO [14]=HW_GRO
	[15]=RSS [16]=RSS_CONTEXTS [17]=NTUPLE [24]=ITR [27]=RSS_SYM [29]=RSS_FLOW_LABEL)
# needs DESCRIPTION BIT...: 0 if the device has every bit, else a TAP skip naming the first missing
needs() {
	local d=$1 b
	shift
	for b in "$@"; do
		has_cap "$b" && continue
		tap_skip "$d" "device lacks OFNIC_CAP_${CAPNAME[$b]} (bit $b; caps $CAPS)"
		return 1
	done
	return 0
}

# ---- helpers (feat, hwstat, drv, snmp, snap/grew: selftests/lib/offload.sh) -------------------
# per-queue RX packets (the driver's counters, the same as qstats): qsnap; qdelta prints the
# growth of every queue since, in queue order
qcounts() { ethtool -S "$A" | sed -n 's/^ *drv_q[0-9]*_rx_packets: \([0-9]*\)$/\1/p'; }
qsnap() { mapfile -t QS < <(qcounts); }
qdelta() {
	local now i out=()
	mapfile -t now < <(qcounts)
	for i in "${!now[@]}"; do out+=($((now[i] - ${QS[i]:-0}))); done
	echo "${out[*]}"
}
no_warn() { local bad; bad=$(dmesg_bad); [ -z "$bad" ] || { echo "$bad" | head -n 20; return 1; }; }
# ethtool -l: CURRENT or MAX combined channels
channels() { ethtool -l "$A" | awk -v w="$1" '/^Pre-set/ { s = "max" } /^Current/ { s = "cur" } /^Combined:/ && s == w { print $2 }'; }
nqueues() { channels cur; }
set_queues() { [ "$(nqueues)" = "$1" ] || ethtool -L "$A" combined "$1"; }

# UDP from B to A: udp_flows DPORT NDPORTS NSRC COUNT (prints the datagrams sent)
udp_flows() { rns python3 "$RXGEN" udp-flows "$LOCAL_V4" "$@"; }
# steered QUEUE DELTAS SENT: QUEUE got (nearly) all SENT datagrams, the others little
steered() {
	local q=$1 sent=$3 i rc=0
	local -a d
	read -r -a d <<<"$2"
	for i in "${!d[@]}"; do
		if [ "$i" = "$q" ]; then
			[ "${d[i]}" -ge $((sent * 9 / 10)) ] || rc=1
		else
			[ "${d[i]}" -le $((sent / 10)) ] || rc=1
		fi
	done
	return "$rc"
}
# ethtool -x of A (or of an RSS context): table entries one a line, and the key
rss_table() { ethtool -x "$A" ${1:+context "$1"} | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) print $i }'; }
rss_key() { ethtool -x "$A" ${1:+context "$1"} | awk 'k { print; exit } /^RSS hash key:/ { k = 1 }'; }
rand_key() { head -c 40 /dev/urandom | od -An -tx1 | tr -s ' \n' ':' | sed 's/^://; s/:$//'; }
table_set() { rss_table "$@" | sort -un | tr '\n' ' ' | sed 's/ $//'; }

ORIG_QUEUES=$(nqueues)
MAX_QUEUES=$(channels max)
QN=$((MAX_QUEUES < 4 ? MAX_QUEUES : 4))
set_queues "$QN"
echo "# $A: $QN of $MAX_QUEUES queue pairs in use (was $ORIG_QUEUES)"
declare -A BEFORE
# as ethtool -k names them (ethtool -K takes these names too)
RX_FEATURES=(rx-checksumming rx-gro-hw large-receive-offload rx-vlan-offload rx-vlan-filter
	ntuple-filters receive-hashing)
for f in "${RX_FEATURES[@]}"; do BEFORE[$f]=$(feat "$f" active)/$(feat "$f" fixed); done
ethtool -k "$A" | grep -E 'rx-|receive|large|ntuple' | grep -v fixed | tap_diag

# ---- features ----------------------------------------------------------------------------------
features_match_caps() {
	local rc=0 f bit def want fixed
	while read -r f bit def; do
		if has_cap "$bit"; then want=$def fixed=false; else want=false fixed=true; fi
		[ "$(feat "$f" fixed)" = "$fixed" ] && [ "$(feat "$f" active)" = "$want" ] ||
			{ echo "$f: fixed=$(feat "$f" fixed) active=$(feat "$f" active), capability bit $bit says fixed=$fixed active=$want"; rc=1; }
	done <<-EOF
	rx-checksumming 12 true
	rx-gro-hw 14 true
	large-receive-offload 13 false
	rx-vlan-offload 10 true
	rx-vlan-filter 11 true
	ntuple-filters 17 true
	receive-hashing 15 true
	EOF
	return "$rc"
}
tap_check "RX features follow the capabilities ($CAPS): changeable, default on (LRO off), or [fixed] off" \
	features_match_caps

# flip every changeable RX feature off and on while B sends to A
flip_all() {
	local f rc=0 m
	iperf3 -s -1 -D -B "$LOCAL_V4" --pidfile "$W/srv.pid" >/dev/null 2>&1
	sleep 0.3
	rns iperf3 -c "$LOCAL_V4" -t 8 -J >"$W/flip.json" 2>&1 &
	local pid=$!
	sleep 1
	for f in "${RX_FEATURES[@]}"; do
		[ "$(feat "$f" fixed)" = false ] || continue
		local was
		was=$(feat "$f" active)
		ethtool -K "$A" "$f" "$([ "$was" = true ] && echo off || echo on)" >/dev/null || rc=1
		sleep 0.3
		ethtool -K "$A" "$f" "$([ "$was" = true ] && echo on || echo off)" >/dev/null || rc=1
		[ "$(feat "$f" active)" = "$was" ] || { echo "$f did not come back to $was"; rc=1; }
	done
	# one coalescing mode at a time: LRO asked for takes over, HW-GRO comes back after it
	if [ "$(feat large-receive-offload fixed)" = false ] && [ "$(feat rx-gro-hw fixed)" = false ]; then
		ethtool -K "$A" large-receive-offload on >/dev/null || rc=1
		echo "LRO on: rx-gro-hw active $(feat rx-gro-hw active), requested $(feat rx-gro-hw requested)"
		[ "$(feat large-receive-offload active)/$(feat rx-gro-hw active)" = true/false ] || rc=1
		ethtool -K "$A" large-receive-offload off >/dev/null || rc=1
		echo "LRO off: rx-gro-hw active $(feat rx-gro-hw active)"
		[ "$(feat rx-gro-hw active)" = "$(feat rx-gro-hw requested)" ] || rc=1
	fi
	wait "$pid" || rc=1
	m=$(jq -r '(.end.sum_received.bits_per_second // 0) / 1e6 | floor' "$W/flip.json")
	echo "iperf3 B -> A while flipping every RX feature: $m Mbit/s"
	[ "${m:-0}" -gt 0 ] || rc=1
	no_warn || rc=1
	return "$rc"
}
tap_check "every changeable RX feature off/on under iperf3 B -> A" flip_all

# ---- RX checksum ---------------------------------------------------------------------------------
csum_good() {
	local rc=0 state n u nn d
	ethtool -K "$A" rx-gro-hw off >/dev/null 2>&1
	for state in on off on; do
		ethtool -K "$A" rx "$state" >/dev/null || rc=1
		snap drv:rx_csum_unnecessary drv:rx_csum_none rx_csum_good
		n=$(udp_flows 9000 4 1 50)
		sleep 0.5
		u=$(grew drv:rx_csum_unnecessary)
		nn=$(grew drv:rx_csum_none)
		d=$(grew rx_csum_good)
		echo "rx-checksumming $state: $n UDP datagrams sent; driver: $u unnecessary, $nn none; device: $d good"
		if [ "$state" = on ]; then
			[ "$u" -ge $((n * 9 / 10)) ] && [ "$d" -ge $((n * 9 / 10)) ] || rc=1
		else
			[ "$u" = 0 ] && [ "$nn" -ge $((n * 9 / 10)) ] || rc=1
		fi
	done
	ethtool -K "$A" rx-gro-hw on >/dev/null 2>&1
	return "$rc"
}
if needs "RX checksum: good UDP checksums are CHECKSUM_UNNECESSARY with rx on, unchecked with rx off" 12; then
	tap_check "RX checksum: good UDP checksums are CHECKSUM_UNNECESSARY with rx on, unchecked with rx off" \
		csum_good
fi

csum_bad() {
	local rc=0 state b d e4 e6
	for state in on off on; do
		ethtool -K "$A" rx "$state" >/dev/null || rc=1
		snap drv:rx_csum_bad rx_csum_bad snmp:Udp:InCsumErrors snmp:Udp6:InCsumErrors
		rns python3 "$RXGEN" bad-csum "$LOCAL_V4" 9100 20 || rc=1
		rns python3 "$RXGEN" bad-csum "$LOCAL_V6" 9100 20 || rc=1
		sleep 0.5
		b=$(grew drv:rx_csum_bad)
		d=$(grew rx_csum_bad)
		e4=$(grew snmp:Udp:InCsumErrors)
		e6=$(grew snmp:Udp6:InCsumErrors)
		echo "rx-checksumming $state: 40 bad UDP checksums; driver csum_bad +$b, device +$d; stack InCsumErrors +$e4 (v4) +$e6 (v6)"
		# whatever the device says, the stack finds every one
		[ "$e4" = 20 ] && [ "$e6" = 20 ] || rc=1
		if [ "$state" = on ]; then
			[ "$b" = 40 ] && [ "$d" -ge 40 ] || rc=1
		else
			[ "$b" = 0 ] || rc=1
		fi
	done
	return "$rc"
}
if needs "RX checksum: wrong UDP checksums counted csum_bad and left to the stack, which drops them" 12; then
	tap_check "RX checksum: wrong UDP checksums counted csum_bad and left to the stack, which drops them" \
		csum_bad
fi

# ---- RX hash -------------------------------------------------------------------------------------
# rxhash on: every IPv4 skb the driver hands to the stack carries the device's RSS hash; off:
# none does (the stack computes its own when it needs one). Seen in the hash field of the
# napi_gro_receive_entry tracepoint (the driver's hand-off), for UDP datagrams from B.
rx_hash() {
	local rc=0 t=/sys/kernel/tracing ev state n with without
	mountpoint -q "$t" || mount -t tracefs tracefs "$t" || return 1
	ev=$t/events/net/napi_gro_receive_entry
	echo "name == \"$A\"" > "$ev/filter" || return 1
	for state in on off on; do
		ethtool -K "$A" rxhash "$state" >/dev/null || rc=1
		echo > "$t/trace"
		echo 1 > "$ev/enable"
		n=$(udp_flows 9000 4 1 25)
		sleep 0.5
		echo 0 > "$ev/enable"
		read -r with without < <(awk '/ protocol=0x0800 / { if (/ hash=0x00000000 /) z++; else h++ }
			END { print h + 0, z + 0 }' "$t/trace")
		echo "rxhash $state: $n UDP datagrams sent; IPv4 skbs at the hand-off: $with with a hash, $without without"
		if [ "$state" = on ]; then
			[ "$with" -gt 0 ] && [ "$without" = 0 ] || rc=1
		else
			[ "$with" = 0 ] && [ "$without" -gt 0 ] || rc=1
		fi
	done
	echo 0 > "$ev/filter"
	return "$rc"
}
if usable receive-hashing "rxhash: the device's hash on every skb with it on, on none with it off"; then
	tap_check "rxhash: the device's hash on every skb with it on, on none with it off" rx_hash
fi

# ---- VLAN -----------------------------------------------------------------------------------------
vlan_setup() {
	modprobe -q 8021q
	ip link add link "$A" name "$A.$VID" type vlan id "$VID" || return 1
	ip addr add "$V4_VLAN_LOCAL/24" dev "$A.$VID"
	ip link set "$A.$VID" up
	rns ip link add link "$B" name "$B.$VID" type vlan id "$VID" || return 1
	rns ip addr add "$V4_VLAN_REMOTE/24" dev "$B.$VID"
	rns ip link set "$B.$VID" up
	rns ip link add link "$B" name "$B.$VID_OTHER" type vlan id "$VID_OTHER" || return 1
	rns ip addr add "$V4_OTHER_REMOTE/24" dev "$B.$VID_OTHER"
	rns ip link set "$B.$VID_OTHER" up
	ping -q -c2 -W2 "$V4_VLAN_REMOTE" >/dev/null
}
vlan_strip() {
	local rc=0 state s p
	for state in on off on; do
		ethtool -K "$A" rx-vlan-hw-parse "$state" >/dev/null || rc=1
		snap rx_vlan_stripped
		if rns ping -q -c3 -i0.2 -W2 "$V4_VLAN_LOCAL" >/dev/null; then p=ok; else p=FAILED; rc=1; fi
		s=$(grew rx_vlan_stripped)
		echo "rx-vlan-offload $state: ping over VLAN $VID $p, device stripped $s tags"
		if [ "$state" = on ]; then [ "$s" -ge 3 ] || rc=1; else [ "$s" = 0 ] || rc=1; fi
	done
	return "$rc"
}
vlan_filter() {
	local rc=0 state d p
	for state in on off on; do
		ethtool -K "$A" rx-vlan-filter "$state" >/dev/null || rc=1
		snap rx_drop_vlan_filter
		# ARP requests tagged with a VID that no VLAN device of A registered
		rns ping -q -c3 -i0.3 -W1 "${V4_OTHER_REMOTE%.*}.1" >/dev/null 2>&1
		if rns ping -q -c2 -i0.2 -W2 "$V4_VLAN_LOCAL" >/dev/null; then p=ok; else p=FAILED; rc=1; fi
		d=$(grew rx_drop_vlan_filter)
		echo "rx-vlan-filter $state: $d frames of VLAN $VID_OTHER dropped; ping over VLAN $VID $p"
		if [ "$state" = on ]; then [ "$d" -ge 2 ] || rc=1; else [ "$d" = 0 ] || rc=1; fi
	done
	# the VID goes with its VLAN device: afterwards VLAN VID's frames are dropped too
	ip link del "$A.$VID"
	snap rx_drop_vlan_filter
	rns ping -q -c2 -i0.3 -W1 "$V4_VLAN_LOCAL" >/dev/null 2>&1 && { echo "ping over VLAN $VID after its device was deleted"; rc=1; }
	d=$(grew rx_drop_vlan_filter)
	echo "VLAN $VID deleted on $A: $d of its frames dropped by the filter"
	[ "$d" -ge 1 ] || rc=1
	return "$rc"
}
if needs "VLAN $VID on both ports, VLAN $VID_OTHER on B only" 10 11; then
	tap_check "VLAN $VID on both ports, VLAN $VID_OTHER on B only" vlan_setup
	tap_check "VLAN strip: tags reported with rx-vlan-offload on, in the frame with it off" vlan_strip
	tap_check "VLAN filter: a VID A did not register is dropped with the filter on only" vlan_filter
else
	tap_skip "VLAN strip: tags reported with rx-vlan-offload on, in the frame with it off" \
		"device lacks OFNIC_CAP_RX_VLAN_STRIP/FILTER (caps $CAPS)"
	tap_skip "VLAN filter: a VID A did not register is dropped with the filter on only" \
		"device lacks OFNIC_CAP_RX_VLAN_STRIP/FILTER (caps $CAPS)"
fi
ip link del "$A.$VID" 2>/dev/null
rns ip link del "$B.$VID" 2>/dev/null
rns ip link del "$B.$VID_OTHER" 2>/dev/null

# ---- QinQ ----------------------------------------------------------------------------------------
# 802.1ad 10 over 802.1Q 20 keep the MTU of the port: frames of MTU + 22 bytes, which MAX_FRAME
# must admit (the datasheet's OFNIC_MAX_FRAME holds two tags)
too_long() {	# frames both ports dropped as longer than MAX_FRAME
	{ ethtool -S "$A"; rns ethtool -S "$B"; } |
		awk '$1 == "rx_drop_bad_size:" { s += $2 } END { print s + 0 }'
}
qinq() {
	local rc=0 d mtu
	mtu=$(cat "/sys/class/net/$A/mtu")
	ip link add link "$A" name "$A.q" type vlan proto 802.1ad id 10 || return 1
	ip link add link "$A.q" name "$A.q.20" type vlan id 20 || rc=1
	rns ip link add link "$B" name "$B.q" type vlan proto 802.1ad id 10 || rc=1
	rns ip link add link "$B.q" name "$B.q.20" type vlan id 20 || rc=1
	ip addr add 198.18.10.1/24 dev "$A.q.20"
	rns ip addr add 198.18.10.2/24 dev "$B.q.20"
	ip link set "$A.q" up && ip link set "$A.q.20" up || rc=1
	rns ip link set "$B.q" up && rns ip link set "$B.q.20" up || rc=1
	d=$(too_long)
	ping -q -c3 -i0.2 -W2 -M do -s $((mtu - 28)) 198.18.10.2 >/dev/null ||
		{ echo "ping of $mtu-byte IP packets over QinQ failed"; rc=1; }
	d=$(($(too_long) - d))
	echo "$mtu-byte IP packets over 802.1ad 10 / 802.1Q 20 ($((mtu + 22))-byte frames):" \
		"$d dropped as too long"
	[ "$d" = 0 ] || rc=1
	ip link del "$A.q"
	rns ip link del "$B.q"
	return "$rc"
}
tap_check "QinQ (802.1ad + 802.1Q) at the port's MTU: frames with two tags are received" qinq

# ---- RSS -----------------------------------------------------------------------------------------
ORIG_KEY=$(rss_key)
rss_xX() {
	local rc=0 key n sysk t size
	n=$(rss_table | wc -l)
	key=$(rss_key)
	# the system's key as hex bytes; ofnic takes its first 40
	sysk=$(cut -c1-119 /proc/sys/net/core/netdev_rss_key)
	echo "ethtool -x: $n entries, key $key"
	# the device's table on 6.12; on 7.x 4 per queue, a power of two from 8 (rxfh_indir_space)
	size=$(datasheet RSS_INDIR_SIZE)
	if [[ $(uname -r) != 6.12.* ]]; then
		t=8
		while [ "$t" -lt $((4 * QN)) ] && [ "$t" -lt "$size" ]; do t=$((2 * t)); done
		size=$t
	fi
	[ "$n" = "$size" ] || { echo "want $size entries"; rc=1; }
	[ "$(tr -cd ':' <<<"$key" | wc -c)" = 39 ] || { echo "want a 40-byte key"; rc=1; }
	[ "$key" = "$sysk" ] || { echo "default key is not netdev_rss_key ($sysk)"; rc=1; }
	ethtool -x "$A" | grep -q 'toeplitz: on' || { echo "hash function is not Toeplitz"; rc=1; }
	[ "$(table_set)" = "$(seq -s ' ' 0 $((QN - 1)))" ] || { echo "default table is not over $QN queues: $(table_set)"; rc=1; }
	key=$(rand_key)
	ethtool -X "$A" hkey "$key" || rc=1
	[ "$(rss_key)" = "$key" ] || { echo "key did not round-trip"; rc=1; }
	ethtool -X "$A" equal 2 || rc=1
	t=$(table_set)
	echo "equal 2: {$t}"
	[ "$t" = "0 1" ] || rc=1
	ethtool -X "$A" weight 1 3 || rc=1
	n=$(rss_table | grep -c '^1$')
	echo "weight 1 3: $n of $size entries on queue 1"
	[ "$n" = $((size * 3 / 4)) ] || rc=1
	ethtool -X "$A" default || rc=1
	[ "$(table_set)" = "$(seq -s ' ' 0 $((QN - 1)))" ] || { echo "default did not spread again"; rc=1; }
	if ethtool -X "$A" hfunc xor 2>"$W/err"; then
		echo "hfunc xor accepted"; rc=1
	else
		echo "hfunc xor refused: $(head -n1 "$W/err")"
	fi
	ethtool -X "$A" hfunc toeplitz || rc=1
	ethtool -X "$A" hkey "$ORIG_KEY" || rc=1
	return "$rc"
}
respread() {
	local rc=0 t
	[ "$QN" -ge 3 ] || { echo "needs 3 queues"; return 0; }
	ethtool -L "$A" combined 2 || rc=1
	t=$(table_set)
	echo "combined 2: default table {$t}"
	[ "$t" = "0 1" ] || rc=1
	ethtool -L "$A" combined "$QN" || rc=1
	t=$(table_set)
	echo "combined $QN: default table {$t}"
	[ "$t" = "$(seq -s ' ' 0 $((QN - 1)))" ] || rc=1
	# a table the user set stays, and holds on to its queues
	ethtool -X "$A" equal 3 || rc=1
	ethtool -L "$A" combined 2 2>/dev/null && { echo "combined 2 accepted with queue 2 in the table"; rc=1; }
	ethtool -L "$A" combined 3 || rc=1
	ethtool -L "$A" combined "$QN" || rc=1
	t=$(table_set)
	echo "user table after combined 3 and $QN: {$t}"
	[ "$t" = "0 1 2" ] || rc=1
	ethtool -X "$A" default || rc=1
	return "$rc"
}
flow_hash() {
	local rc=0 f n
	# (ethtool has no name for the "other IP" flow types, IPV4_FLOW and IPV6_FLOW)
	for f in tcp4 udp4 tcp6 udp6; do
		n=$(ethtool -n "$A" rx-flow-hash "$f" | grep -cE '^(IP SA|IP DA|L4 bytes)')
		echo "rx-flow-hash $f: $n fields"
		[ "$n" = 4 ] || rc=1
	done
	ethtool -N "$A" rx-flow-hash udp4 sd || rc=1
	n=$(ethtool -n "$A" rx-flow-hash udp4 | grep -cE '^(IP SA|IP DA|L4 bytes)')
	[ "$n" = 2 ] || { echo "udp4 sd reads back $n fields"; rc=1; }
	ethtool -N "$A" rx-flow-hash udp4 sdfnv 2>/dev/null && { echo "VLAN hashing accepted"; rc=1; }
	ethtool -n "$A" rx-flow-hash sctp4 >/dev/null 2>&1 && { echo "sctp4 answered"; rc=1; }
	# addresses only: every flow between A and B hashes alike, one queue takes them all
	qsnap
	n=$(udp_flows 9200 64 1 4)
	local d
	d=$(qdelta)
	echo "udp4 hashed on addresses only: $n datagrams of 64 flows, per queue: $d"
	[ "$(tr ' ' '\n' <<<"$d" | sort -n | tail -n1)" -ge $((n * 9 / 10)) ] || rc=1
	ethtool -N "$A" rx-flow-hash udp4 sdfn || rc=1
	return "$rc"
}
spread64() {
	local rc=0 n d max min
	qsnap
	n=$(udp_flows 9300 64 1 10)
	d=$(qdelta)
	max=$(tr ' ' '\n' <<<"$d" | sort -n | tail -n1)
	min=$(tr ' ' '\n' <<<"$d" | sort -n | head -n1)
	echo "64 UDP flows, $n datagrams over $QN queues: per queue $d; max/min $max/$min"
	[ "$min" -gt 0 ] || rc=1
	return "$rc"
}
# the queue that took (nearly) all of 20 datagrams from B's UDP port $1 to A's port $2
pair_queue() {
	qsnap
	rns python3 "$RXGEN" udp-from "$1" "$LOCAL_V4" "$2" 20 >/dev/null
	qdelta | tr ' ' '\n' | awk '$1 >= 18 { print NR - 1; exit }'
}
# symmetric RSS (input_xfrm): a flow and its reverse (ports swapped; B sends both, so the
# addresses stay and only the ports test it) land on one queue with symmetric-xor, and not
# all of 8 pairs do without it. ethtool 6.14 knows symmetric-xor only: symmetric-or-xor is
# the device test's (selftests/device/rx_offload.py).
rss_sym() {
	local rc=0 x i a b qa qb same
	for x in symmetric-xor none; do
		ethtool -X "$A" xfrm "$x" || return 1
		ethtool -x "$A" | grep -i "input transformation" -A1 | tr -s ' \n' ' '; echo
		same=0
		for i in $(seq 8); do
			a=$((20000 + 7 * i)) b=$((30000 + 13 * i))
			qa=$(pair_queue "$a" "$b")
			qb=$(pair_queue "$b" "$a")
			[ -n "$qa" ] && [ "$qa" = "$qb" ] && same=$((same + 1))
		done
		echo "xfrm $x: $same of 8 flows and their reverse on one queue"
		case $x in
		symmetric-xor) [ "$same" = 8 ] || rc=1 ;;
		none) [ "$same" -lt 8 ] || rc=1 ;;
		esac
	done
	# the core refuses a transform with one-sided hash fields, and such fields under one
	ethtool -N "$A" rx-flow-hash udp4 s 2>/dev/null || { echo "udp4 s refused"; rc=1; }
	ethtool -X "$A" xfrm symmetric-xor 2>/dev/null && { echo "xor accepted over udp4 s"; rc=1; }
	ethtool -N "$A" rx-flow-hash udp4 sdfn || rc=1
	ethtool -X "$A" xfrm none >/dev/null
	return "$rc"
}
# the IPv6 flow label (RXH_IP6_FL; ethtool 6.14 has no letter for it, so the ioctl sets it):
# datagrams of one 4-tuple, each from a socket of its own and so with a label of its own
# (auto_flowlabels), spread over the queues with the label hashed, and stay on one without
rss_flow_label() {
	local rc=0 cur n d
	echo "remote auto_flowlabels: $(rns sysctl -n net.ipv6.auto_flowlabels)"
	cur=$(python3 "$RXGEN" rx-flow-hash "$A" udp6) || return 1
	# RXH_IP_SRC|DST 0x30, RXH_L4_B_0_1|2_3 0xc0, RXH_IP6_FL 0x200
	[ "$(python3 "$RXGEN" rx-flow-hash "$A" udp6 2f0)" = 2f0 ] ||
		{ echo "udp6 with the flow label does not read back"; rc=1; }
	python3 "$RXGEN" rx-flow-hash "$A" tcp4 2f0 2>/dev/null &&
		{ echo "the flow label accepted for tcp4"; rc=1; }
	qsnap
	n=$(rns python3 "$RXGEN" udp-sockets 20500 "$LOCAL_V6" 9500 32)
	d=$(qdelta)
	echo "udp6 hashed with the flow label: $n datagrams of one 4-tuple from $n sockets, per queue: $d"
	[ "$n" -gt 0 ] && [ "$(tr ' ' '\n' <<<"$d" | sort -n | tail -n1)" -lt $((n * 3 / 4)) ] || rc=1
	python3 "$RXGEN" rx-flow-hash "$A" udp6 f0 >/dev/null || rc=1
	qsnap
	n=$(rns python3 "$RXGEN" udp-sockets 20500 "$LOCAL_V6" 9500 32)
	d=$(qdelta)
	echo "udp6 hashed without it: per queue: $d"
	[ "$(tr ' ' '\n' <<<"$d" | sort -n | tail -n1)" -ge $((n * 9 / 10)) ] || rc=1
	python3 "$RXGEN" rx-flow-hash "$A" udp6 "$cur" >/dev/null || rc=1
	return "$rc"
}
if needs "RSS: ethtool -x/-X key, equal, weight, default; Toeplitz only" 15; then
	tap_check "RSS: ethtool -x/-X key, equal, weight, default; Toeplitz only" rss_xX
	tap_check "RSS: the default table follows ethtool -L, a user table stays" respread
	tap_check "RSS: rx-flow-hash per flow type, round trip and effect" flow_hash
	tap_check "RSS: 64 UDP flows spread over every queue" spread64
	if needs "RSS: symmetric-xor puts a flow and its reverse on one queue" 27; then
		tap_check "RSS: symmetric-xor puts a flow and its reverse on one queue" rss_sym
	fi
	if needs "RSS: the IPv6 flow label spreads one 4-tuple's sockets over the queues" 29; then
		tap_check "RSS: the IPv6 flow label spreads one 4-tuple's sockets over the queues" \
			rss_flow_label
	fi
else
	for t in "RSS: the default table follows ethtool -L, a user table stays" \
		"RSS: rx-flow-hash per flow type, round trip and effect" \
		"RSS: 64 UDP flows spread over every queue" \
		"RSS: symmetric-xor puts a flow and its reverse on one queue" \
		"RSS: the IPv6 flow label spreads one 4-tuple's sockets over the queues"; do
		tap_skip "$t" "device lacks OFNIC_CAP_RSS (caps $CAPS)"
	done
fi

contexts() {
	local rc=0 c r k t n d p=9400
	[ "$QN" -ge 4 ] || { echo "needs 4 queues"; return 0; }
	ethtool -X "$A" equal 2 || rc=1
	c=$(ethtool -X "$A" context new | awk '/New RSS context/ { print $NF }')
	echo "context $c"
	[ -n "$c" ] || return 1
	k=$(rss_key "$c")
	t=$(table_set "$c")
	echo "new context: table {$t}, key $k"
	[ "$t" = "0 1 2 3" ] || rc=1
	[ -n "$(tr -d '0:' <<<"$k")" ] || { echo "context key is all zero"; rc=1; }
	ethtool -X "$A" context "$c" start 2 equal 2 || rc=1
	t=$(table_set "$c")
	[ "$t" = "2 3" ] || { echo "context table {$t}"; rc=1; }
	k=$(rand_key)
	ethtool -X "$A" context "$c" hkey "$k" || rc=1
	[ "$(rss_key "$c")" = "$k" ] || { echo "context key did not round-trip"; rc=1; }
	ethtool -N "$A" rx-flow-hash udp4 sd context "$c" || rc=1
	n=$(ethtool -n "$A" rx-flow-hash udp4 context "$c" | grep -cE '^(IP SA|IP DA|L4 bytes)')
	[ "$n" = 2 ] || { echo "context $c udp4 fields: $n"; rc=1; }
	ethtool -N "$A" rx-flow-hash udp4 sdfn context "$c" || rc=1
	r=$(ethtool -N "$A" flow-type udp4 dst-port "$p" context "$c" | awk '{ print $NF }')
	qsnap
	n=$(udp_flows "$p" 1 32 10)
	d=$(qdelta)
	echo "32 flows to port $p through context $c ({2,3}): per queue $d"
	read -r -a q <<<"$d"
	[ $((q[2] + q[3])) -ge $((n * 9 / 10)) ] && [ "${q[2]}" -gt 0 ] && [ "${q[3]}" -gt 0 ] || rc=1
	ethtool -X "$A" context "$c" delete 2>/dev/null && { echo "context deleted under a rule"; rc=1; }
	ethtool -N "$A" delete "$r" || rc=1
	# the same table with a queue offset: a rule to {0,1} + 2
	ethtool -X "$A" context "$c" equal 2 || rc=1
	r=$(ethtool -N "$A" flow-type udp4 dst-port "$p" context "$c" action 2 | awk '{ print $NF }')
	qsnap
	n=$(udp_flows "$p" 1 32 10)
	d=$(qdelta)
	echo "the same through context {0,1} with queue offset 2: per queue $d"
	read -r -a q <<<"$d"
	[ $((q[2] + q[3])) -ge $((n * 9 / 10)) ] && [ "${q[2]}" -gt 0 ] && [ "${q[3]}" -gt 0 ] || rc=1
	ethtool -N "$A" delete "$r" || rc=1
	# context 0 the same: its table may not spread past what a rule's offset allows
	ethtool -X "$A" equal 2 || rc=1
	r=$(ethtool -N "$A" flow-type udp4 dst-port "$p" context 0 action 2 | awk '{ print $NF }')
	# (ethtool -X goes through the ioctl: the extack message does not reach it)
	if ethtool -X "$A" equal 4 2>/dev/null; then
		echo "context 0 spread over 4 queues under a rule with queue offset 2"; rc=1
	fi
	[ "$(table_set 0)" = "0 1" ] || { echo "context 0 table {$(table_set 0)}"; rc=1; }
	ethtool -n "$A" rule "$r" | grep -q "RSS Context 0 (queue base offset: 2)" ||
		{ echo "rule $r: $(ethtool -n "$A" rule "$r")"; rc=1; }
	ethtool -N "$A" delete "$r" || rc=1
	ethtool -X "$A" context "$c" delete || rc=1
	ethtool -x "$A" context "$c" >/dev/null 2>&1 && { echo "context $c still there"; rc=1; }
	ethtool -X "$A" default || rc=1
	return "$rc"
}
if needs "RSS contexts: create, key/table/fields, ntuple to a context (with a queue offset), delete" 15 16 17; then
	tap_check "RSS contexts: create, key/table/fields, ntuple to a context (with a queue offset), delete" \
		contexts
fi

# ---- ntuple ----------------------------------------------------------------------------------------
nt_add() { ethtool -N "$A" "$@" | awk '/Added rule/ { print $NF }'; }
nt_count() { ethtool -n "$A" | awk '/^Total/ { print $2 }'; }
ntuple_steer() {
	local rc=0 r1 r2 r3 r4 n d h x
	[ "$QN" -ge 4 ] || { echo "needs 4 queues"; return 0; }
	snap rx_ntuple_hits rx_drop_ntuple
	r1=$(nt_add flow-type udp4 dst-port 9501 action 3)
	r2=$(nt_add flow-type udp4 dst-port 9502 action -1)
	r3=$(nt_add flow-type ip4 src-ip "$REMOTE_V4" dst-ip "$LOCAL_V4" m 0.0.0.255 action 2)
	r4=$(nt_add flow-type udp6 dst-ip "$LOCAL_V6" dst-port 9504 action 1)
	echo "rules $r1 $r2 $r3 $r4: $(nt_count) in the table"
	[ "$(nt_count)" = 4 ] || rc=1
	ethtool -n "$A" rule "$r1" | grep -q 'Action: Direct to queue 3' || { echo "rule $r1 reads back wrong"; rc=1; }
	# the same match again, location chosen by the driver: it replaces rule r1 (a second one
	# behind it could never be hit), as rss_ctx.py expects
	x=$(nt_add flow-type udp4 dst-port 9501 action 1)
	ethtool -n "$A" rule "$r1" | grep -q 'Action: Direct to queue 1' || { echo "rule $r1 not replaced"; rc=1; }
	[ "$x" = "$r1" ] && [ "$(nt_count)" = 4 ] || { echo "same match: rule $x, $(nt_count) rules"; rc=1; }
	nt_add flow-type udp4 dst-port 9501 action 3 >/dev/null
	qsnap
	n=$(udp_flows 9501 1 8 10)
	d=$(qdelta)
	echo "udp4 port 9501 -> queue 3: $d"
	steered 3 "$d" "$n" || rc=1
	qsnap
	n=$(udp_flows 9600 16 2 5)
	d=$(qdelta)
	echo "any other IPv4 from $REMOTE_V4 -> queue 2 (ip4 rule): $d"
	steered 2 "$d" "$n" || rc=1
	qsnap
	n=$(rns python3 "$RXGEN" udp-flows "$LOCAL_V6" 9504 1 8 10)
	d=$(qdelta)
	echo "udp6 port 9504 -> queue 1: $d"
	steered 1 "$d" "$n" || rc=1
	qsnap
	x=$(grew rx_drop_ntuple)
	n=$(udp_flows 9502 1 4 10)
	d=$(qdelta)
	x=$(( $(grew rx_drop_ntuple) - x ))
	echo "udp4 port 9502 dropped: $x of $n dropped by the device, per queue $d"
	[ "$x" -ge "$n" ] || rc=1
	h=$(grew rx_ntuple_hits)
	echo "device: $h ntuple hits"
	[ "$h" -gt 0 ] || rc=1
	return "$rc"
}
ntuple_persist() {
	local rc=0 n d
	ip link set "$A" down
	ip link set "$A" up
	wait_carrier "$A" || rc=1
	[ "$(nt_count)" = 4 ] || { echo "$(nt_count) rules after down/up"; rc=1; }
	qsnap
	n=$(udp_flows 9501 1 8 10)
	d=$(qdelta)
	echo "after down/up, udp4 port 9501 -> queue 3: $d"
	steered 3 "$d" "$n" || rc=1
	ethtool -K "$A" ntuple off || rc=1
	echo "ntuple off: $(nt_count) rules"
	[ "$(nt_count)" = 0 ] || rc=1
	ethtool -K "$A" ntuple on || rc=1
	[ "$(nt_count)" = 0 ] || rc=1
	qsnap
	n=$(udp_flows 9501 1 8 10)
	d=$(qdelta)
	echo "no rules: udp4 port 9501 spreads: $d"
	steered 3 "$d" "$n" && { echo "still steered"; rc=1; }
	return "$rc"
}
ntuple_bad() {
	local rc=0 args
	while read -r args; do
		# shellcheck disable=SC2086
		if ethtool -N "$A" $args >/dev/null 2>&1; then
			echo "accepted: $args"; rc=1
		else
			echo "refused: $args"
		fi
	done <<-EOF
	flow-type udp4 dst-port 9700 action $MAX_QUEUES
	flow-type udp4 dst-port 9700 action 63
	flow-type sctp4 dst-port 9700 action 1
	flow-type udp4 tos 16 action 1
	flow-type udp4 dst-port 9700 vlan 5 action 1
	flow-type ether dst 00:11:22:33:44:55 action 1
	flow-type ip4 l4proto 17 action 1
	flow-type udp4 dst-port 9700 action 1 loc 32
	flow-type udp4 dst-port 9700 context 7 action 0
	EOF
	ethtool -N "$A" delete 31 2>/dev/null && { echo "deleted a rule that does not exist"; rc=1; }
	[ "$(nt_count)" = 0 ] || rc=1
	no_warn || rc=1
	return "$rc"
}
if needs "ntuple: steering to a queue, IPv4 and IPv6, masked ip4 rule, drop" 17; then
	tap_check "ntuple: steering to a queue, IPv4 and IPv6, masked ip4 rule, drop" ntuple_steer
	tap_check "ntuple: rules survive down/up, go with ntuple off" ntuple_persist
	tap_check "ntuple: bad rules are refused (queue, flow type, fields, location, context)" ntuple_bad
else
	tap_skip "ntuple: rules survive down/up, go with ntuple off" "device lacks OFNIC_CAP_NTUPLE (caps $CAPS)"
	tap_skip "ntuple: bad rules are refused (queue, flow type, fields, location, context)" \
		"device lacks OFNIC_CAP_NTUPLE (caps $CAPS)"
fi
ethtool -N "$A" delete 0 2>/dev/null
for r in $(ethtool -n "$A" 2>/dev/null | awk '/^Filter:/ { print $2 }'); do ethtool -N "$A" delete "$r"; done

# ---- interrupt moderation ------------------------------------------------------------------------
coalesce() {
	local rc=0 c
	ethtool -c "$A" | grep -E '^(Adaptive|rx-usecs|rx-frames|tx-usecs|tx-frames):' | tr -s '\t' ' ' | paste -sd';'
	ethtool -C "$A" adaptive-rx off adaptive-tx off rx-usecs 30 rx-frames 8 tx-usecs 40 tx-frames 16 || rc=1
	c=$(ethtool --json -c "$A" | jq -c '.[0] | [."rx-usecs", ."rx-frames", ."tx-usecs", ."tx-frames", ."adaptive-rx", ."adaptive-tx"]')
	echo "after -C: $c"
	[ "$c" = '[30,8,40,16,false,false]' ] || rc=1
	ethtool --per-queue "$A" queue_mask 0x2 --coalesce rx-usecs 77 || rc=1
	c=$(ethtool --per-queue "$A" queue_mask 0x3 --show-coalesce | awk '/^rx-usecs:/ { print $2 }' | paste -sd' ')
	echo "per queue rx-usecs of queues 0 and 1: $c"
	[ "$c" = "30 77" ] || rc=1
	ethtool -C "$A" rx-frames 2000 2>/dev/null && { echo "2000 frames accepted"; rc=1; }
	ethtool -C "$A" rx-usecs 70000 2>/dev/null && { echo "70000 usecs accepted"; rc=1; }
	ethtool -C "$A" adaptive-rx on adaptive-tx on || rc=1
	c=$(ethtool --json -c "$A" | jq -c '.[0] | [."adaptive-rx", ."adaptive-tx"]')
	[ "$c" = '[true,true]' ] || rc=1
	IPERF_SECS=3 iperf_mbps_rev >"$W/m" || rc=1
	echo "adaptive RX and TX: iperf3 B -> A $(cat "$W/m") Mbit/s"
	# shellcheck disable=SC2086
	ethtool -C "$A" $COAL_BEFORE || rc=1
	c=$(ethtool --json -c "$A" | jq -c '.[0] | [."rx-usecs", ."rx-frames", ."tx-usecs", ."tx-frames", ."adaptive-rx", ."adaptive-tx"]')
	echo "restored: $c"
	return "$rc"
}
# the settings as found, as ethtool -C arguments
COAL_BEFORE=$(ethtool --json -c "$A" 2>/dev/null | jq -r '.[0] | "rx-usecs \(."rx-usecs") rx-frames \(."rx-frames") tx-usecs \(."tx-usecs") tx-frames \(."tx-frames") adaptive-rx \(if ."adaptive-rx" then "on" else "off" end) adaptive-tx \(if ."adaptive-tx" then "on" else "off" end)"')
echo "# coalescing as found: $COAL_BEFORE"
if needs "ethtool -c/-C and per-queue coalescing round trips, limits, adaptive" 24; then
	tap_check "ethtool -c/-C and per-queue coalescing round trips, limits, adaptive" coalesce
fi

# ---- queue statistics ------------------------------------------------------------------------------
linkstat() { cat "/sys/class/net/$A/statistics/${1/-/_}"; }
qstats_check() {
	local rc=0 j ifi k q n
	local -A l0 l1
	ifi=$(cat "/sys/class/net/$A/ifindex")
	for n in "$QN" 1; do
		# the totals keep adding up with fewer queues: the others are in the base
		set_queues "$n" || rc=1
		for k in rx-packets rx-bytes tx-packets tx-bytes; do l0[$k]=$(linkstat "$k"); done
		j=$(python3 "$RXGEN" qstats "$YNL" "$ifi") || return 1
		for k in rx-packets rx-bytes tx-packets tx-bytes; do l1[$k]=$(linkstat "$k"); done
		for k in rx-packets rx-bytes tx-packets tx-bytes; do
			q=$(jq -r --arg k "$k" '.dev[$k]' <<<"$j")
			echo "$k: link ${l0[$k]} <= qstats $q <= link ${l1[$k]}"
			[ "${l0[$k]}" -le "$q" ] && [ "$q" -le "${l1[$k]}" ] || rc=1
		done
		jq -c '.dev | {"rx-csum-unnecessary", "rx-csum-none", "rx-csum-bad", "rx-hw-gro-packets", "rx-alloc-fail", "rx-hw-drops", "tx-needs-csum", "tx-hw-gso-packets", "tx-stop", "tx-wake"}' <<<"$j"
		jq -e '.dev | has("rx-csum-unnecessary") and has("rx-hw-gro-packets") and has("tx-hw-gso-packets")' <<<"$j" >/dev/null || rc=1
		k=$(jq '.queues | map(select(."queue-type" == "rx")) | length' <<<"$j")
		echo "$n queues in use: $k RX queues in the per-queue dump"
		[ "$k" = "$n" ] || rc=1
	done
	set_queues "$QN" || rc=1
	return "$rc"
}
if [ -f "$YNL/cli.py" ]; then
	tap_check "qstats: per-queue plus base equal the link statistics, with $QN queues and with 1" \
		qstats_check
else
	tap_skip "qstats: per-queue plus base equal the link statistics, with $QN queues and with 1" \
		"no ynl CLI at $YNL (tools/build-selftests installs it)"
fi

# ---- MTU 9000 ------------------------------------------------------------------------------------
jumbo() {
	local rc=0 mx m1 m2
	mx=$(ip -j -d link show "$A" | jq -r '.[0].max_mtu')
	echo "max_mtu $mx"
	[ "$mx" = 9000 ] || rc=1
	ip link set "$A" mtu 9001 2>/dev/null && { echo "MTU 9001 accepted"; rc=1; }
	ip link set "$A" mtu 9000 || return 1
	rns ip link set "$B" mtu 9000 || return 1
	snap drv:rx_multi_buffer_packets
	ping -q -c3 -i0.2 -s 8972 -M "do" "$REMOTE_V4" >/dev/null || { echo "no 9000-byte ping A -> B"; rc=1; }
	rns ping -q -c3 -i0.2 -s 8972 -M "do" "$LOCAL_V4" >/dev/null || { echo "no 9000-byte ping B -> A"; rc=1; }
	ping -q -c3 -i0.2 -s 8952 -M "do" "$REMOTE_V6" >/dev/null || { echo "no 9000-byte IPv6 ping"; rc=1; }
	m1=$(IPERF_SECS=4 iperf_mbps_rev) || rc=1
	m2=$(IPERF_SECS=4 iperf_mbps) || rc=1
	echo "MTU 9000: iperf3 B -> A $m1 Mbit/s, A -> B $m2 Mbit/s; $(grew drv:rx_multi_buffer_packets) multi-buffer packets at A"
	[ "${m1:-0}" -gt 0 ] && [ "${m2:-0}" -gt 0 ] || rc=1
	[ "$(grew drv:rx_multi_buffer_packets)" -gt 0 ] || rc=1
	ip link set "$A" mtu 1500
	rns ip link set "$B" mtu 1500
	return "$rc"
}
tap_check "MTU 9000: ping both ways (IPv4, IPv6), iperf3 both ways" jumbo

# ---- LRO and HW-GRO --------------------------------------------------------------------------------
# rsc_mode hw-gro|lro|off
rsc_mode() {
	case "$1" in
	hw-gro) ethtool -K "$A" rx-lro off rx-gro-hw on ;;
	lro) ethtool -K "$A" rx-gro-hw off rx-lro on ;;
	off) ethtool -K "$A" rx-gro-hw off rx-lro off ;;
	esac >/dev/null 2>&1
	sleep 0.3
}
rsc_perf() {
	local rc=0 mode m c g l n s
	declare -A MB
	for mode in off hw-gro lro; do
		if [ "$mode" = lro ] && ! has_cap 13; then continue; fi
		if [ "$mode" = hw-gro ] && ! has_cap 14; then continue; fi
		rsc_mode "$mode"
		snap rx_coalesced_packets rx_coalesced_segments drv:rx_hw_gro_packets drv:rx_lro_packets \
			drv:rx_packets
		m=$(IPERF_SECS=5 iperf_mbps_rev) || rc=1
		c=$(grew rx_coalesced_packets)
		s=$(grew rx_coalesced_segments)
		g=$(grew drv:rx_hw_gro_packets)
		l=$(grew drv:rx_lro_packets)
		n=$(grew drv:rx_packets)
		MB[$mode]=$m
		echo "$mode: iperf3 B -> A $m Mbit/s; device coalesced $c packets ($s segments); driver: $g HW-GRO, $l LRO packets, rx_packets +$n"
		case "$mode" in
		off) [ "$c" = 0 ] || rc=1 ;;
		hw-gro) [ "$c" -gt 0 ] && [ "$g" -gt 0 ] && [ "$l" = 0 ] || rc=1 ;;
		lro) [ "$c" -gt 0 ] && [ "$l" -gt 0 ] && [ "$g" = 0 ] || rc=1 ;;
		esac
		# rx-packets counts wire packets (qstats): each coalesced segment, not the merged skb
		if [ "$mode" != off ] && [ "$n" -lt "$s" ]; then
			echo "rx_packets grew by $n, fewer than the $s coalesced segments"
			rc=1
		fi
		[ "${m:-0}" -gt 0 ] || rc=1
	done
	echo "iperf3 B -> A: HW-GRO ${MB[hw-gro]:-n/a}, LRO ${MB[lro]:-n/a}, neither ${MB[off]} Mbit/s"
	rsc_mode hw-gro
	return "$rc"
}
# byte-exact TCP B -> A over IPv4 and IPv6 with each coalescing mode
rsc_exact() {
	local rc=0 mode addr out port=9800
	for mode in hw-gro lro; do
		if [ "$mode" = lro ] && ! has_cap 13; then continue; fi
		if [ "$mode" = hw-gro ] && ! has_cap 14; then continue; fi
		rsc_mode "$mode"
		for addr in "$LOCAL_V4" "$LOCAL_V6"; do
			port=$((port + 1))
			python3 "$TXGEN" tcp-recv "$addr" "$port" 30 >"$W/tcp.out" 2>"$W/tcp.err" &
			local rpid=$!
			for _ in $(seq 50); do grep -q ready "$W/tcp.err" && break; sleep 0.1; done
			rns python3 "$TXGEN" tcp-send "$addr" "$port" 8000000 || rc=1
			wait "$rpid"
			out=$(cat "$W/tcp.out")
			echo "$mode, to $addr: received (bytes bad) $out"
			[ "$out" = "8000000 0" ] || rc=1
		done
	done
	rsc_mode hw-gro
	return "$rc"
}
# A forwards B's traffic to a third namespace; the veth toward it has no TSO/GSO or checksum
# offload, so the stack segments every HW-GRO packet again and checksums the segments
far_setup() {
	ip netns add "$FAR_NS" || return 1
	ip link add vfa type veth peer name vfb || return 1
	ip link set vfb netns "$FAR_NS"
	ip addr add "$V4_FAR_GW/24" dev vfa
	ip link set vfa up
	ethtool -K vfa tso off gso off tx off >/dev/null
	ip netns exec "$FAR_NS" ip link set lo up
	ip netns exec "$FAR_NS" ip addr add "$V4_FAR/24" dev vfb
	ip netns exec "$FAR_NS" ip link set vfb up
	ip netns exec "$FAR_NS" ip route add default via "$V4_FAR_GW"
	rns ip route add "${V4_FAR%.*}.0/24" via "$LOCAL_V4"
	ethtool -K "$A" rx-gro-hw off rx-lro on >/dev/null
	sysctl -qw net.ipv4.ip_forward=1
	# forwarding turns LRO off on every device of the namespace
	echo "LRO after enabling forwarding: $(feat large-receive-offload active)"
	[ "$(feat large-receive-offload active)" = false ] || return 1
	ethtool -K "$A" rx-gro-hw on >/dev/null
	ip netns exec "$FAR_NS" ping -q -c2 -W2 "$REMOTE_V4" >/dev/null
}
rsc_forward() {
	local rc=0 out g big pid n ok bad
	snap drv:rx_hw_gro_packets
	tcpdump -i vfa -Q out -nn -U -s 0 -c 2000 -w "$W/fwd.pcap" tcp >"$W/fwd.log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do grep -q "listening on" "$W/fwd.log" && break; sleep 0.1; done
	ip netns exec "$FAR_NS" python3 "$TXGEN" tcp-recv "$V4_FAR" 9900 30 >"$W/tcp.out" 2>"$W/tcp.err" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$W/tcp.err" && break; sleep 0.1; done
	rns python3 "$TXGEN" tcp-send "$V4_FAR" 9900 8000000 || rc=1
	wait "$rpid"
	sleep 0.5
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	out=$(cat "$W/tcp.out")
	g=$(grew drv:rx_hw_gro_packets)
	n=$(tcpdump -r "$W/fwd.pcap" -nn 2>/dev/null | wc -l)
	big=$(tcpdump -r "$W/fwd.pcap" -nn -e 2>/dev/null | sed -n 's/.*, length \([0-9]*\):.*/\1/p' | awk '$1 > 1514 { n++ } END { print n + 0 }')
	ok=$(tcpdump -r "$W/fwd.pcap" -nn -vv 2>/dev/null | grep -c '(correct)')
	bad=$(tcpdump -r "$W/fwd.pcap" -nn -vv 2>/dev/null | grep -c 'incorrect')
	echo "B -> A -> $FAR_NS: received (bytes bad) $out; A took $g HW-GRO packets;" \
		"forwarded $n frames, $big beyond 1514 bytes, checksums $ok correct / $bad incorrect"
	[ "$out" = "8000000 0" ] || rc=1
	[ "$g" -gt 0 ] || rc=1
	[ "$n" -gt 0 ] && [ "$big" = 0 ] && [ "$ok" -gt 0 ] && [ "$bad" = 0 ] || rc=1
	return "$rc"
}
# The smallest rings with one queue: a coalesced frame needs up to 41 buffers at once, and a
# 64-entry ring refilled in batches of 32 keeps only 32 posted; the driver must cap the
# coalesced size so that RX never waits for buffers it will not post (it stalled for good).
rsc_small_ring() {
	local rc=0 out c rx tx
	rx=$(ethtool -g "$A" | awk '/^Current/ { c = 1 } c && /^RX:/ { print $2; exit }')
	tx=$(ethtool -g "$A" | awk '/^Current/ { c = 1 } c && /^TX:/ { print $2; exit }')
	set_queues 1
	ethtool -G "$A" rx 64 tx 64 || return 1
	rsc_mode hw-gro
	snap rx_coalesced_packets
	python3 "$TXGEN" tcp-recv "$LOCAL_V4" 9900 30 >"$W/tcp.out" 2>"$W/tcp.err" &
	local rpid=$!
	for _ in $(seq 50); do grep -q ready "$W/tcp.err" && break; sleep 0.1; done
	timeout 40 ip netns exec "$REMOTE_NS" python3 "$TXGEN" tcp-send "$LOCAL_V4" 9900 8000000 || rc=1
	wait "$rpid"
	out=$(cat "$W/tcp.out")
	c=$(grew rx_coalesced_packets)
	echo "rings 64/64, 1 queue, HW-GRO: received (bytes bad) $out; device coalesced $c packets"
	[ "$out" = "8000000 0" ] && [ "$c" -gt 0 ] || rc=1
	ethtool -G "$A" rx "$rx" tx "$tx"
	set_queues "$ORIG_QUEUES"
	return "$rc"
}
if has_cap 13 || has_cap 14; then
	tap_check "LRO/HW-GRO: iperf3 B -> A with each and without, coalesced counters, rx-packets in wire packets" rsc_perf
	tap_check "LRO/HW-GRO: 8 MB over TCP arrive byte-exact (IPv4, IPv6)" rsc_exact
else
	tap_skip "LRO/HW-GRO: iperf3 B -> A with each and without, coalesced counters, rx-packets in wire packets" \
		"device lacks OFNIC_CAP_LRO and OFNIC_CAP_HW_GRO (caps $CAPS)"
	tap_skip "LRO/HW-GRO: 8 MB over TCP arrive byte-exact (IPv4, IPv6)" \
		"device lacks OFNIC_CAP_LRO and OFNIC_CAP_HW_GRO (caps $CAPS)"
fi
if needs "HW-GRO on the smallest rings: 8 MB over TCP, no stall" 14; then
	tap_check "HW-GRO on the smallest rings: 8 MB over TCP, no stall" rsc_small_ring
fi
if needs "HW-GRO: forwarding to a third namespace turns LRO off" 13 14; then
	tap_check "HW-GRO: forwarding to a third namespace turns LRO off" far_setup
	tap_check "HW-GRO: forwarded packets are segmented again, byte-exact with good checksums" rsc_forward
else
	tap_skip "HW-GRO: forwarded packets are segmented again, byte-exact with good checksums" \
		"device lacks OFNIC_CAP_LRO or OFNIC_CAP_HW_GRO (caps $CAPS)"
fi
sysctl -qw net.ipv4.ip_forward=0
ip netns del "$FAR_NS" 2>/dev/null
ip link del vfa 2>/dev/null

# ---- the end ------------------------------------------------------------------------------------
set_queues "$ORIG_QUEUES"
rsc_mode off
for f in "${RX_FEATURES[@]}"; do
	[ "$(feat "$f" fixed)" = false ] || continue
	ethtool -K "$A" "$f" "$([ "${BEFORE[$f]%/*}" = true ] && echo on || echo off)" >/dev/null 2>&1
done
features_restored() {
	local rc=0 f now
	for f in "${!BEFORE[@]}"; do
		now=$(feat "$f" active)/$(feat "$f" fixed)
		[ "$now" = "${BEFORE[$f]}" ] || { echo "$f: was ${BEFORE[$f]}, now $now"; rc=1; }
	done
	return "$rc"
}
tap_check "every RX feature is back as it was (active/fixed)" features_restored
no_bad_completions() {
	local b d
	b=$(drv rx_bad_completions)
	d=$(drv rx_dropped)
	echo "driver: $b bad completions, $d packets dropped"
	[ "$b" = 0 ] && [ "$d" = 0 ]
}
tap_check "no bad completion, no packet dropped by the driver" no_bad_completions
[ -s /ofnic-out/guest-errors.log ] && head -n 5 /ofnic-out/guest-errors.log | tap_diag
teardown_pair "$A"
rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
