#!/bin/bash
# The benchmark inside the guest (tools/bench runs it; the demo runs a short version).
#
# Rows are a wire and a setting: each NIC model's two ports (on a hub of their own, port B in
# the namespace "remote"), or a veth pair made here (the zero-cost wire); ofnic under a matrix
# of offload settings, the peers at their defaults and with TSO/GSO/GRO off. Workloads:
#   tcp1-tx tcp1-rx   iperf3 TCP, 1 stream, A->B and B->A
#   tcp4-tx tcp4-rx   iperf3 TCP, 4 streams
#   udp-tx            udpgso_bench_tx, 61440-byte sends cut in 1472-byte datagrams
#                     (UDP_SEGMENT: USO where the device has it), received with UDP_GRO
#   vxlan-tx          iperf3 TCP, 1 stream, over a VXLAN device on top of the pair
# Every row runs once per round, rounds interleaved so that drift in the host's load hits all
# of them alike. Each measurement is a line of /ofnic-out/runs.jsonl: row, workload, round,
# Mbit/s, and the guest's CPU use over it from /proc/stat (busy vCPUs); iperf3's own JSON is
# kept in /ofnic-out/iperf/. /ofnic-out/settings.json has what each row's ethtool -K did.
#
# Environment: ROUNDS (3), BENCH_SECS (5), BENCH_ROWS and BENCH_WORKLOADS (subsets),
# OFNIC_NICS (the models tools/vm attached).
. /ofnic/selftests/lib/guest.sh
ROUNDS=${ROUNDS:-3}
SECS=${BENCH_SECS:-5}
OUT=/ofnic-out
UDPGSO=/ofnic/out/kselftest/$(uname -r | cut -d. -f1-2)/net
ALL_ROWS="ofnic ofnic/no-tso ofnic/no-gso ofnic/no-csum ofnic/sw-gro ofnic/lro ofnic/no-gro
	ofnic/no-tunnel ofnic/all-off e1000e e1000e/off igb igb/off virtio-net virtio-net/off
	veth veth/off"
ALL_WORKLOADS="tcp1-tx tcp1-rx tcp4-tx tcp4-rx udp-tx vxlan-tx"
read -ra ROWS <<< "$(tr "\n\t" "  " <<< "${BENCH_ROWS:-$ALL_ROWS}")"
read -ra WLS <<< "$(tr "\n\t" "  " <<< "${BENCH_WORKLOADS:-$ALL_WORKLOADS}")"
V4_TUN_A=10.42.0.1
V4_TUN_B=10.42.0.2
mkdir -p "$OUT/iperf"
: > "$OUT/runs.jsonl"

# ethtool -K pairs of a setting; every feature is set on its own, so that one the NIC lacks
# (or has fixed) does not stop the others
setting_features() {
	case "$1" in
	default) ;;
	no-tso) echo "tso off" ;;
	no-gso) echo "tso off gso off" ;;
	no-csum) echo "tx off" ;;			# TSO and USO need it: they go too
	sw-gro) echo "rx-gro-hw off lro off gro on" ;;	# the stack's GRO only
	lro) echo "rx-gro-hw off lro on" ;;
	no-gro) echo "gro off rx-gro-hw off lro off" ;;	# nothing coalesces
	no-tunnel) echo "tx-udp_tnl-segmentation off tx-udp_tnl-csum-segmentation off
		rx-udp_tunnel-port-offload off" ;;
	off) echo "tso off gso off gro off rx-gro-hw off lro off" ;;
	all-off) echo "tso off gso off gro off rx-gro-hw off lro off tx off sg off rx off rxhash off
		rxvlan off txvlan off ntuple off tx-udp_tnl-segmentation off
		tx-udp_tnl-csum-segmentation off rx-udp_tunnel-port-offload off tx-udp-segmentation off" ;;
	*) return 1 ;;
	esac
}
# which workloads a row runs: RX settings change the receiver, TX ones the sender; no-tunnel
# only matters inside a tunnel
row_runs() {	# row_runs ROW WORKLOAD
	case "${1#*/}:$2" in
	no-tunnel:vxlan-tx) return 0 ;;
	no-tunnel:*) return 1 ;;
	no-tso:tcp1-tx | no-tso:tcp4-tx | no-gso:tcp1-tx | no-gso:tcp4-tx | no-csum:tcp1-tx | \
	no-csum:tcp4-tx | no-csum:udp-tx | no-gso:udp-tx) return 0 ;;
	sw-gro:tcp1-tx | sw-gro:tcp4-tx | lro:tcp1-tx | lro:tcp4-tx | no-gro:tcp1-tx | \
	no-gro:tcp4-tx) return 0 ;;
	no-tso:* | no-gso:* | no-csum:* | sw-gro:* | lro:* | no-gro:*) return 1 ;;
	off:vxlan-tx) return 1 ;;
	*) return 0 ;;
	esac
}
for row in "${ROWS[@]}"; do
	s=${row#*/}
	[ "$s" != "$row" ] || s=default
	setting_features "$s" >/dev/null || { echo "unknown row $row"; exit 1; }
done

# ---- the wires --------------------------------------------------------------------------
declare -A PORT_A PORT_B DEFAULTS
for model in $OFNIC_NICS; do
	load_driver "$model"
	wait_ifaces "$(nic_driver "$model")" 2 || { echo "no $model ports"; exit 1; }
	mapfile -t p < <(nic_ifaces "$(nic_driver "$model")")
	PORT_A[$model]=${p[0]}
	PORT_B[$model]=${p[1]}
done
for row in "${ROWS[@]}"; do
	m=${row%%/*}
	[ "$m" = veth ] || [ -n "${PORT_A[$m]:-}" ] || { echo "row $row: no $m ports in this guest"; exit 1; }
done
modprobe veth
modprobe vxlan

# features that can change, "name on|off" per line
feature_state() { ethtool -k "$1" | awk -F': ' '!/fixed/ && NF == 2 { print $1, $2 }'; }

# the name ethtool -k prints for a feature ethtool -K takes
long_name() {
	case "$1" in
	tso) echo tcp-segmentation-offload ;; gso) echo generic-segmentation-offload ;;
	gro) echo generic-receive-offload ;; lro) echo large-receive-offload ;;
	tx) echo tx-checksumming ;; rx) echo rx-checksumming ;; sg) echo scatter-gather ;;
	rxhash) echo receive-hashing ;; rxvlan) echo rx-vlan-offload ;;
	txvlan) echo tx-vlan-offload ;; ntuple) echo ntuple-filters ;; *) echo "$1" ;;
	esac
}
# setting_check DEV NS PAIRS...: prints each feature of the setting that is not in the state
# asked for (a NIC without the feature has it fixed off: asking for off is met)
setting_check() {
	local dev=$1 ns=$2 k
	shift 2
	k=$(${ns:+ip netns exec "$ns"} ethtool -k "$dev")
	while [ $# -ge 2 ]; do
		awk -F': ' -v f="$(long_name "$1")" -v want="$2" -v dev="$dev" '
			$1 == f { seen = 1; split($2, v, " "); if (v[1] != want) printf "%s %s is %s; ", dev, f, $2 }
			END { if (!seen && want == "on") printf "%s has no %s; ", dev, f }' <<< "$k"
		shift 2
	done
}
SETTING_ERR=""
wire_up() {	# wire_up ROW: sets A and B of the row's model, wires them, applies the setting;
		# status 2 (reason in SETTING_ERR) if a feature did not take the state asked for
	local m=${1%%/*} s=${1#*/} pairs
	SETTING_ERR=""
	[ "$s" != "$1" ] || s=default
	if [ "$m" = veth ]; then
		ip link add vba type veth peer name vbb || return 1
		A=vba B=vbb
	else
		A=${PORT_A[$m]} B=${PORT_B[$m]}
		[ -n "${DEFAULTS[$A]:-}" ] || DEFAULTS[$A]=$(feature_state "$A")
		[ -n "${DEFAULTS[$B]:-}" ] || DEFAULTS[$B]=$(feature_state "$B")
	fi
	setup_pair "$A" "$B" >/dev/null || { echo "$1: wiring failed"; return 1; }
	pairs=$(setting_features "$s")
	# shellcheck disable=SC2086
	set -- $pairs
	while [ $# -ge 2 ]; do
		ethtool -K "$A" "$1" "$2" 2>/dev/null
		ip netns exec "$REMOTE_NS" ethtool -K "$B" "$1" "$2" 2>/dev/null
		shift 2
	done
	# shellcheck disable=SC2086
	SETTING_ERR=$(setting_check "$A" "" $pairs; setting_check "$B" "$REMOTE_NS" $pairs)
	[ -z "$SETTING_ERR" ] || return 2
	return 0
}
wire_down() {	# puts the defaults back (veth: gone with the namespace)
	local a=$A b=$B dev
	teardown_pair "$a"
	ip link del vxb0 2>/dev/null
	[ "$a" != vba ] || { ip link del vba 2>/dev/null; return 0; }
	for dev in "$a" "$b"; do
		# B comes back from the deleted namespace asynchronously
		for _ in $(seq 50); do [ -e "/sys/class/net/$dev" ] && break; sleep 0.1; done
		# shellcheck disable=SC2046
		set -- $(awk 'NR == FNR { want[$1] = $2; next } ($1 in want) && want[$1] != $2 {
			print $1, want[$1] }' <(echo "${DEFAULTS[$dev]}") <(feature_state "$dev"))
		while [ $# -ge 2 ]; do
			ethtool -K "$dev" "$1" "$2" 2>/dev/null
			shift 2
		done
	done
}

# ---- measurements --------------------------------------------------------------------------
cpu_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
NCPU=$(nproc)

# measure ROW WORKLOAD ROUND: one run; prints Mbit/s and appends the record
measure() {
	local row=$1 wl=$2 r=$3 mbps=0 c0 c1 json tag srv_ns cli_ns dst=$REMOTE_V4 src=$LOCAL_V4
	tag="$r-${row//\//_}-$wl"
	json=$OUT/iperf/$tag.json
	case "$wl" in
	vxlan-*)
		ip link add vxb0 type vxlan id 42 local "$LOCAL_V4" remote "$REMOTE_V4" dstport 4789 dev "$A"
		ip netns exec "$REMOTE_NS" ip link add vxb0 type vxlan id 42 local "$REMOTE_V4" \
			remote "$LOCAL_V4" dstport 4789 dev "$B"
		ip addr add "$V4_TUN_A/24" dev vxb0
		ip link set vxb0 up
		ip netns exec "$REMOTE_NS" ip addr add "$V4_TUN_B/24" dev vxb0
		ip netns exec "$REMOTE_NS" ip link set vxb0 up
		dst=$V4_TUN_B src=$V4_TUN_A
		ping -q -c1 -W2 "$dst" >/dev/null 2>&1 || ping -q -c1 -W2 "$dst" >/dev/null 2>&1
		;;
	esac
	if [[ $wl == *-rx ]]; then
		srv_ns=() cli_ns=(ip netns exec "$REMOTE_NS")
		dst=$src
	else
		srv_ns=(ip netns exec "$REMOTE_NS") cli_ns=()
	fi
	read -r c0 t0 < <(cpu_busy)
	case "$wl" in
	tcp* | vxlan*)
		local par=1
		[[ $wl != tcp4* ]] || par=4
		"${srv_ns[@]}" iperf3 -s -1 -D -B "$dst" --pidfile /tmp/bench-iperf.pid >/dev/null 2>&1
		sleep 0.3
		"${cli_ns[@]}" iperf3 -c "$dst" -t "$SECS" -P "$par" -J > "$json" 2>&1
		mbps=$(jq -r '(.end.sum_received.bits_per_second // 0) / 1e6 | floor' "$json" 2>/dev/null)
		read -r c1 t1 < <(cpu_busy)
		[ -f /tmp/bench-iperf.pid ] && kill "$(cat /tmp/bench-iperf.pid)" 2>/dev/null
		;;
	udp-tx)
		# the receiver reports the MiB it got each second it got any: their sum over the
		# sender's time is the rate (a second without data counts as 0)
		ip netns exec "$REMOTE_NS" timeout $((SECS + 3)) "$UDPGSO/udpgso_bench_rx" -4 -G \
			-b "$REMOTE_V4" 2> "$OUT/iperf/$tag.rx" &
		local rx=$!
		sleep 0.5
		"$UDPGSO/udpgso_bench_tx" -4 -D "$REMOTE_V4" -l "$SECS" -s 61440 -S 1472 \
			> "$OUT/iperf/$tag.tx" 2>&1
		read -r c1 t1 < <(cpu_busy)
		sleep 1.5
		kill "$rx" 2>/dev/null
		wait "$rx" 2>/dev/null
		mbps=$(awk -v secs="$SECS" '/udp rx:/ { s += $3 }
			END { printf "%d", s * 8 * 1.048576 / secs }' "$OUT/iperf/$tag.rx")
		;;
	esac
	[ -n "$mbps" ] && [ "$mbps" != null ] || mbps=0
	local busy
	busy=$(awk -v b=$((c1 - c0)) -v t=$((t1 - t0)) -v n="$NCPU" 'BEGIN { printf "%.2f", t ? b / t * n : 0 }')
	printf '{"row":"%s","workload":"%s","round":%d,"mbps":%d,"busy_vcpus":%s,"vcpus":%d,"secs":%d}\n' \
		"$row" "$wl" "$r" "$mbps" "$busy" "$NCPU" "$SECS" >> "$OUT/runs.jsonl"
	[[ $wl != vxlan-* ]] || {
		ip link del vxb0 2>/dev/null
		ip netns exec "$REMOTE_NS" ip link del vxb0 2>/dev/null
	}
	echo "$mbps $busy"
}

if [[ " ${WLS[*]} " == *" udp-tx "* ]] && [ ! -x "$UDPGSO/udpgso_bench_tx" ]; then
	echo "# udp-tx: $UDPGSO/udpgso_bench_tx missing (tools/build-selftests builds it): not measured"
	WLS=("${WLS[@]/udp-tx/}")
fi

total=0
for row in "${ROWS[@]}"; do for wl in "${WLS[@]}"; do
	[ -n "$wl" ] && row_runs "$row" "$wl" && total=$((total + 1))
done; done
echo "# $ROUNDS rounds x $total runs of ${SECS}s (~$((ROUNDS * total * (SECS + 3) / 60)) min)"

# what each row's setting leaves active on both ports (the first round's)
row_features() {	# row_features DEV [NS]
	${2:+ip netns exec "$2"} ethtool -k "$1" | awk -F': ' '/^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|large-receive-offload|rx-gro-hw|tx-checksumming|rx-checksumming|scatter-gather|tx-udp_tnl-segmentation|tx-udp-segmentation):/ { printf "%s%s=%s", n++ ? " " : "", $1, $2 }'
}
echo "{" > "$OUT/settings.json"
for r in $(seq "$ROUNDS"); do
	for row in "${ROWS[@]}"; do
		wire_up "$row"
		w=$?
		[ "$w" != 1 ] || exit 1
		if [ "$r" = 1 ]; then
			printf '"%s": {"dev": "%s", "driver": "%s", "features": "%s", "peer_features": "%s", "error": "%s"},\n' \
				"$row" "$A" "$(ethtool -i "$A" | awk '/^driver:/ { print $2 }')" \
				"$(row_features "$A")" "$(row_features "$B" "$REMOTE_NS")" "$SETTING_ERR" \
				>> "$OUT/settings.json"
		fi
		for wl in "${WLS[@]}"; do
			[ -n "$wl" ] && row_runs "$row" "$wl" || continue
			if [ "$w" = 2 ]; then
				# a row whose setting did not take is not measured under its name
				printf '{"row":"%s","workload":"%s","round":%d,"mbps":0,"busy_vcpus":0,"vcpus":%d,"secs":%d,"error":"setting not applied: %s"}\n' \
					"$row" "$wl" "$r" "$NCPU" "$SECS" "$SETTING_ERR" >> "$OUT/runs.jsonl"
				echo "round $r $row $wl: not measured, setting not applied: $SETTING_ERR"
				continue
			fi
			read -r mbps busy < <(measure "$row" "$wl" "$r")
			echo "round $r $row $wl: $mbps Mbit/s, $busy busy vCPUs"
		done
		wire_down
	done
done
sed -i '$ s/,$//' "$OUT/settings.json"
echo "}" >> "$OUT/settings.json"
bad=$(dmesg_bad)
[ -z "$bad" ] || { echo "# kernel complained:"; echo "$bad" | head -n 20; }
echo "# bench done"
