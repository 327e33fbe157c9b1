# shellcheck shell=bash
# Helpers for the in-guest offload tests (tx_offloads.sh, rx_offloads.sh, vxlan.sh, gso_diff.sh).
# Source after guest.sh; they work on port A (root namespace) and port B (in $REMOTE_NS), keep
# files in $W, and read the device's capability bits from $CAPS.
rns() { ip netns exec "$REMOTE_NS" "$@"; }
# ofnic_pair: loads ofnic and wires its first two ports, A here and B in $REMOTE_NS (two TAP
# results; the test ends if there are not two ports); CAPS from the driver's probe message
ofnic_pair() {
	local ports
	tap_run "load ofnic" load_driver ofnic
	wait_ifaces ofnic 2
	mapfile -t ports < <(nic_ifaces ofnic)
	A=${ports[0]:-}
	B=${ports[1]:-}
	if [ -z "$A" ] || [ -z "$B" ]; then
		tap_ok 1 "two ofnic ports probed (${ports[*]})"
		exit 1
	fi
	tap_run "wire $A <-> $B (B in netns $REMOTE_NS)" setup_pair "$A" "$B"
	CAPS=$(dmesg | sed -n "s/.* $A: ofnic .*, caps \(0x[0-9a-f]*\)$/\1/p" | tail -n1)
	CAPS=${CAPS:-0}
	echo "# $A caps $CAPS"
}
# b_raw_rx off|restore: B's packet taps sit after GRO, which merges frames back into
# super-packets (with the first segment's checksum), and so does B's device coalescing; with
# both off B's captures see the frames as they came off the wire. restore puts back what was on.
b_raw_rx() {
	local k
	if [ "$1" = off ]; then
		k=$(rns ethtool --json -k "$B")
		B_GRO=$(jq -r '.[0]["rx-gro"].active' <<< "$k")
		B_GRO_HW=$(jq -r '.[0]["rx-gro-hw"].active' <<< "$k")
		rns ethtool -K "$B" gro off || return 1
		[ "$B_GRO_HW" != true ] || rns ethtool -K "$B" rx-gro-hw off || return 1
	else
		[ "$B_GRO" != true ] || rns ethtool -K "$B" gro on
		[ "$B_GRO_HW" != true ] || rns ethtool -K "$B" rx-gro-hw on
	fi
}
has_cap() { (( (CAPS >> $1) & 1 )); }
# ethtool -k by kernel feature name; ethtool prints a few under their legacy names
feat() {	# feat NAME active|fixed|requested
	local alt=$1
	case "$1" in
	tx-vlan-hw-insert) alt=tx-vlan-offload ;;
	esac
	ethtool --json -k "$A" | jq -r --arg n "$1" --arg a "$alt" --arg f "$2" \
		'.[0] | (.[$n] // .[$a]) | .[$f] | tostring'
}
# usable FEATURE DESCRIPTION: 0 if FEATURE can be switched, else a TAP skip with the reason.
# A device started without -device properties (OFNIC_DEV_OPTS, from tools/vm) has every
# capability: there a fixed feature is the driver's fault, a failure, not a skip.
usable() {
	[ "$(feat "$1" fixed)" = false ] && return 0
	if [ -z "${OFNIC_DEV_OPTS:-}" ]; then
		echo "# $1 is [fixed] $(feat "$1" active | sed 's/true/on/; s/false/off/') on a device with every capability"
		tap_ok 1 "$2"
	else
		tap_skip "$2" "$1 is [fixed] $(feat "$1" active | sed 's/true/on/; s/false/off/'): device lacks the capability (-device ofnic,$OFNIC_DEV_OPTS)"
	fi
	return 1
}
# A device counter of ethtool -S; drv: sum of a driver counter over the queues
hwstat() { ethtool -S "$A" | awk -v n="$1:" '$1 == n { print $2 }'; }
# qsum PREFIX NAME: ethtool -S PREFIXqN_NAME summed over the queues (drv_: the driver's)
qsum() { ethtool -S "$A" | awk -v p="^$1q[0-9]+_" -v n="$2:" '{ k = $1 } sub(p, "", k) && k == n { s += $2 } END { print s + 0 }'; }
drv() { qsum drv_ "$1"; }
# /proc/net/snmp (snmp6 for Udp6/Ip6/...) counter: snmp PROTO FIELD, e.g. snmp Udp InCsumErrors
snmp() {
	case "$1" in
	*6) awk -v k="$1$2" '$1 == k { print $2 }' /proc/net/snmp6 ;;
	*) awk -v p="$1:" -v f="$2" '$1 == p { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 } else print $c[f] }' /proc/net/snmp ;;
	esac
}
# remember counters: snap NAME...; grew NAME reports the difference since. NAME is a device
# counter, drv:NAME a driver counter and hwq:NAME a device one summed over the queues,
# snmp:PROTO:FIELD a stack one
declare -A SNAP
val() {
	case "$1" in
	drv:*) drv "${1#drv:}" ;;
	hwq:*) qsum "" "${1#hwq:}" ;;
	snmp:*) local x=${1#snmp:}; snmp "${x%%:*}" "${x#*:}" ;;
	*) hwstat "$1" ;;
	esac
}
snap() { local n; for n in "$@"; do SNAP[$n]=$(val "$n"); done; }
grew() { local v; v=$(val "$1"); echo $((v - ${SNAP[$1]:-0})); }

# tcpdump: cap_start NAME NETNS|- IFACE SNAPLEN FILTER...; cap_stop NAME; cap_read NAME [ARGS]
declare -A CAP
cap_start() {
	local name=$1 ns=$2 ifc=$3 snap=$4
	shift 4
	local pre=() dir=()
	# the receiver's capture: what came in only (its own replies carry partial checksums)
	[ "$ns" = - ] || { pre=(ip netns exec "$ns"); dir=(-Q in); }
	"${pre[@]}" tcpdump -i "$ifc" "${dir[@]}" --immediate-mode -nn -U -s "$snap" -c 4000 \
		-w "$W/$name.pcap" "$@" \
		>"$W/$name.log" 2>&1 &
	CAP[$name]=$!
	for _ in $(seq 50); do
		grep -q "listening on" "$W/$name.log" && return 0
		sleep 0.1
	done
	echo "tcpdump $name did not start: $(cat "$W/$name.log")"
	return 1
}
cap_stop() { sleep 0.5; kill -INT "${CAP[$1]}" 2>/dev/null; wait "${CAP[$1]}" 2>/dev/null; true; }
cap_read() { local n=$1; shift; tcpdump -r "$W/$n.pcap" -nn -e "$@" 2>/dev/null; }
# Ethernet frame lengths (VLAN tag included) of a capture, one a line
# (outer frames only: the inner Ethernet header of a tunnel packet has a line of its own)
frame_lens() { cap_read "$1" | sed -n 's/^[0-9][0-9]:[0-9:.]* [^,]*, ethertype [^,]*, length \([0-9]*\):.*/\1/p'; }
max_len() { frame_lens "$1" | sort -n | tail -n1; }
count_over() { frame_lens "$1" | awk -v l="$2" '$1 > l { n++ } END { print n + 0 }'; }
# check_csums NAME: the receiver's capture has verified checksums and no wrong one
check_csums() {
	local out good bad
	out=$(cap_read "$1" -vv)
	good=$(grep -cE '\(correct\)|udp sum ok' <<<"$out")
	bad=$(grep -cE 'incorrect|bad udp cksum|bad cksum|wrong icmp cksum' <<<"$out")
	echo "$1: $good verified checksums, $bad wrong"
	[ "$bad" = 0 ] || grep -E 'incorrect|bad udp cksum|bad cksum|wrong icmp cksum' <<<"$out" |
		head -n 5
	[ "$good" -gt 0 ] && [ "$bad" = 0 ]
}

# iperf3 to the remote namespace in the background: iperf_start ADDR SECS [ARGS]; iperf_end
# waits for it and leaves its Mbit/s in MBPS
iperf_start() {
	rns iperf3 -s -1 -D -B "$1" --pidfile "$W/iperf3-srv.pid" >/dev/null 2>&1
	sleep 0.3
	iperf3 -c "$1" -t "$2" -J "${@:3}" >"$W/iperf.json" 2>&1 &
	IPERF_PID=$!
}
iperf_end() {	# fails if the client failed
	local rc=0
	wait "$IPERF_PID" || rc=$?
	MBPS=$(jq -r '(.end.sum_received.bits_per_second // 0) / 1e6 | floor' "$W/iperf.json" \
		2>/dev/null)
	MBPS=${MBPS:-0}
	[ "$rc" = 0 ] || jq -r '.error // empty' "$W/iperf.json" 2>/dev/null | sed 's/^/iperf3: /'
	return "$rc"
}

# flip FEATURE off and on a few times; fails on an ethtool error or if it does not come back
flip() {
	local f=$1 rc=0
	for _ in 1 2 3; do
		ethtool -K "$A" "$f" off >/dev/null || rc=1
		sleep 0.4
		ethtool -K "$A" "$f" on >/dev/null || rc=1
		sleep 0.4
	done
	[ "$(feat "$f" active)" = true ] || { echo "$f is not on again"; rc=1; }
	return "$rc"
}
no_warn() { local bad; bad=$(dmesg_bad); [ -z "$bad" ] || { echo "$bad" | head -n 20; return 1; }; }

# toggle_under_iperf FEATURE ADDR [IPERF ARGS]: flip FEATURE while iperf3 runs
toggle_under_iperf() {
	local f=$1 addr=$2 m rc=0
	shift 2
	iperf_start "$addr" 6 "$@"
	sleep 1
	flip "$f" || rc=1
	iperf_end || rc=1
	m=$MBPS
	echo "iperf3 while flipping $f: $m Mbit/s"
	[ "${m:-0}" -gt 0 ] || rc=1
	no_warn || rc=1
	return "$rc"
}
