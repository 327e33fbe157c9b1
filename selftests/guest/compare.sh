#!/bin/bash
# iperf3 across the NIC models of this guest, each pair on its own hub, measured in one run.
# Run: tools/vm --nic ofnic --nic e1000e selftests/guest/compare.sh
#
# OFNIC_VARIANTS (default "offloads") measures ofnic more than once, with the TX offloads of
# both ports set by ethtool -K for each variant:
#   offloads     everything the driver offers on (the default state)
#   no-tso       TSO off (tx-tcp-segmentation, tx-tcp6-segmentation): the stack's GSO
#                segments, the device still inserts checksums
#   no-offloads  TSO, checksum and scatter-gather off: the stack does everything in software
# and, for the receive side (the receiving port coalesces, or not):
#   hw-gro       the device coalesces (rx-gro-hw on), the stack's GRO off
#   lro          the device coalesces with the looser LRO rules, the stack's GRO off
#   sw-gro       only the stack's GRO (rx-gro-hw and LRO off)
#   no-rx-coalesce  nothing coalesces received segments (GRO, rx-gro-hw and LRO off)
# Prints a Markdown table, ratios against the first ofnic variant, and writes
# /ofnic-out/compare.json.
. /ofnic/selftests/lib/guest.sh
export IPERF_SECS=${IPERF_SECS:-8}
ROUNDS=${ROUNDS:-2}
VARIANTS=(${OFNIC_VARIANTS:-offloads})
declare -A fwd rev

variant_args() {	# the ethtool -K arguments of a variant
	case "$1" in
	offloads) echo "sg on tx on tso on" ;;
	no-tso) echo "sg on tx on tso off" ;;
	no-offloads) echo "tso off tx off sg off" ;;
	hw-gro) echo "gro off lro off rx-gro-hw on" ;;
	lro) echo "gro off rx-gro-hw off lro on" ;;
	sw-gro) echo "gro on rx-gro-hw off lro off" ;;
	no-rx-coalesce) echo "gro off rx-gro-hw off lro off" ;;
	*) return 1 ;;
	esac
}
for v in "${VARIANTS[@]}"; do
	variant_args "$v" >/dev/null || {
		echo "unknown variant '$v' (offloads no-tso no-offloads hw-gro lro sw-gro no-rx-coalesce)"
		exit 1
	}
done
# The ethtool -K arguments that put back what a variant may change ("[fixed]" ones left out).
saved_args() {	# saved_args [ip netns exec NS] DEV
	local dev=${*: -1} pre=("${@:1:$#-1}")
	"${pre[@]}" ethtool -k "$dev" | awk '
		/\[fixed\]/ { next }
		/^scatter-gather:/ { printf "sg %s ", $2 } /^tx-checksumming:/ { printf "tx %s ", $2 }
		/^tcp-segmentation-offload:/ { printf "tso %s ", $2 }
		/^generic-receive-offload:/ { printf "gro %s ", $2 }
		/^large-receive-offload:/ { printf "lro %s ", $2 } /^rx-gro-hw:/ { printf "rx-gro-hw %s ", $2 }'
}

models=($OFNIC_NICS)
rows=()
for model in "${models[@]}"; do
	load_driver "$model"
	wait_ifaces "$(nic_driver "$model")" 2 || { echo "no $model ports"; exit 1; }
	if [ "$model" = ofnic ]; then
		for v in "${VARIANTS[@]}"; do rows+=("ofnic/$v"); done
	else
		rows+=("$model")
	fi
done

# Interleave the rows round by round so drift in the host's load hits all of them.
for r in $(seq "$ROUNDS"); do
	for row in "${rows[@]}"; do
		model=${row%%/*}
		mapfile -t p < <(nic_ifaces "$(nic_driver "$model")")
		setup_pair "${p[0]}" "${p[1]}" || { echo "$row: wiring failed"; exit 1; }
		if [ "$row" != "$model" ]; then
			save_a=$(saved_args "${p[0]}")
			save_b=$(saved_args ip netns exec "$REMOTE_NS" "${p[1]}")
			# shellcheck disable=SC2046
			ethtool -K "${p[0]}" $(variant_args "${row#*/}") 2>/dev/null
			# shellcheck disable=SC2046
			ip netns exec "$REMOTE_NS" ethtool -K "${p[1]}" $(variant_args "${row#*/}") 2>/dev/null
		fi
		f=$(iperf_mbps)
		b=$(iperf_mbps_rev)
		echo "round $r $row: A->B $f Mbit/s, B->A $b Mbit/s"
		fwd[$row]="${fwd[$row]:-} $f"
		rev[$row]="${rev[$row]:-} $b"
		if [ "$row" != "$model" ]; then
			# shellcheck disable=SC2086
			ip netns exec "$REMOTE_NS" ethtool -K "${p[1]}" $save_b 2>/dev/null
			# shellcheck disable=SC2086
			ethtool -K "${p[0]}" $save_a 2>/dev/null
		fi
		teardown_pair "${p[0]}"
	done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
echo
echo "| NIC | iperf3 TCP A->B (Mbit/s, median of $ROUNDS) | B->A |"
echo "|---|---|---|"
json="{"
for row in "${rows[@]}"; do
	mf=$(echo "${fwd[$row]}" | median)
	mr=$(echo "${rev[$row]}" | median)
	echo "| $row | $mf | $mr |"
	json="$json\"$row\": {\"fwd_mbps\": $mf, \"rev_mbps\": $mr, \"fwd_runs\": [$(echo ${fwd[$row]} | tr ' ' ',')], \"rev_runs\": [$(echo ${rev[$row]} | tr ' ' ',')]},"
done
echo "${json%,}}" | jq . > /ofnic-out/compare.json

# Ratios of the first row (ofnic with its first variant, when ofnic is first) to every other.
if [ "${#rows[@]}" -ge 2 ]; then
	echo
	base=${rows[0]}
	a=$(jq -r ".\"$base\".fwd_mbps" /ofnic-out/compare.json)
	for row in "${rows[@]:1}"; do
		b=$(jq -r ".\"$row\".fwd_mbps" /ofnic-out/compare.json)
		if [ "$b" -gt 0 ]; then
			echo "ratio $base / $row (A->B): $(echo "scale=2; $a / $b" | bc)"
		else
			echo "ratio $base / $row (A->B): n/a ($row measured 0)"
		fi
	done
fi
