#!/bin/bash
# iperf3 across the NIC models of this guest, each pair on its own hub, measured in one run.
# Run: tools/vm --nic ofnic --nic e1000e selftests/guest/compare.sh
# Prints a Markdown table and writes /ofnic-out/compare.json.
. /ofnic/selftests/lib/guest.sh
export IPERF_SECS=${IPERF_SECS:-8}
ROUNDS=${ROUNDS:-2}
declare -A fwd rev
models=($OFNIC_NICS)
for model in "${models[@]}"; do
	load_driver "$model"
	wait_ifaces "$(nic_driver "$model")" 2 || { echo "no $model ports"; exit 1; }
done
# Interleave the models round by round so drift in the host's load hits all of them.
for r in $(seq "$ROUNDS"); do
	for model in "${models[@]}"; do
		mapfile -t p < <(nic_ifaces "$(nic_driver "$model")")
		setup_pair "${p[0]}" "${p[1]}" || { echo "$model: wiring failed"; exit 1; }
		f=$(iperf_mbps)
		b=$(iperf_mbps_rev)
		echo "round $r $model: A->B $f Mbit/s, B->A $b Mbit/s"
		fwd[$model]="${fwd[$model]:-} $f"
		rev[$model]="${rev[$model]:-} $b"
		teardown_pair "${p[0]}"
	done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
echo
echo "| NIC | iperf3 TCP A->B (Mbit/s, median of $ROUNDS) | B->A |"
echo "|---|---|---|"
json="{"
for model in "${models[@]}"; do
	mf=$(echo "${fwd[$model]}" | median)
	mr=$(echo "${rev[$model]}" | median)
	echo "| $model | $mf | $mr |"
	json="$json\"$model\": {\"fwd_mbps\": $mf, \"rev_mbps\": $mr, \"fwd_runs\": [$(echo ${fwd[$model]} | tr ' ' ',')], \"rev_runs\": [$(echo ${rev[$model]} | tr ' ' ',')]},"
done
echo "${json%,}}" | jq . > /ofnic-out/compare.json
if [ "${#models[@]}" -ge 2 ]; then
	a=$(jq -r ".\"${models[0]}\".fwd_mbps" /ofnic-out/compare.json)
	b=$(jq -r ".\"${models[1]}\".fwd_mbps" /ofnic-out/compare.json)
	echo
	echo "ratio ${models[0]} / ${models[1]} (A->B): $(echo "scale=2; $a / $b" | bc)"
fi
