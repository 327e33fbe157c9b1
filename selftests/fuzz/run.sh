#!/usr/bin/env bash
# Runs each harness for SECS seconds with JOBS processes, from the generated seeds (OUT/seeds)
# plus the corpus kept in CORPUS/NAME (it grows run after run). One TAP line per harness: its
# executions, time and crashes. A crash fails the line and names the input that reproduces
# it (run the harness binary with that file as its argument).
#
#   run.sh OUT CORPUS SECS JOBS HARNESS...
set -uo pipefail
out=$1 corpora=$2 secs=$3 jobs=$4
shift 4
seeds_of() { case "$1" in fuzz_tx) echo tx ;; fuzz_tx_ring) echo tx_ring ;; fuzz_rx) echo rx ;; esac; }

echo "TAP version 13"
echo "1..$#"
n=0 rc=0
total=0
: > "$out/summary.txt"
for h in "$@"; do
	n=$((n + 1))
	corpus=$corpora/$h
	mkdir -p "$corpus" "$out/logs"
	rm -f "$out/logs/$h".*.log
	pids=()
	for ((j = 0; j < jobs; j++)); do
		# -rss_limit_mb: the harnesses hold a 1 MiB fake guest memory and 16 x 8 flow buffers
		"$out/$h" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=4096 \
			-max_len=70000 -timeout=10 -artifact_prefix="$out/crash-$h-" \
			"$corpus" "$out/seeds/$(seeds_of "$h")" > "$out/logs/$h.$j.log" 2>&1 &
		pids+=($!)
	done
	fail=0
	for p in "${pids[@]}"; do wait "$p" || fail=1; done
	execs=$(cat "$out/logs/$h".*.log | sed -n 's/^stat::number_of_executed_units: *//p' |
		awk '{ s += $1 } END { print s + 0 }')
	total=$((total + execs))
	units=$(ls "$corpus" | wc -l)
	crashes=$(ls "$out"/crash-"$h"-* 2>/dev/null | wc -l)
	line="$h: $execs executions in ${secs} s x $jobs jobs, corpus $units inputs, $crashes crash files"
	echo "$line" >> "$out/summary.txt"
	if [ "$fail" = 0 ] && [ "$crashes" = 0 ] && [ "$execs" -gt 0 ]; then
		echo "ok $n - $line"
	else
		rc=1
		echo "not ok $n - $line"
		grep -hE 'ERROR|SUMMARY|invariant|==[0-9]+==|Test unit written' "$out/logs/$h".*.log |
			head -n 20 | sed 's/^/# /'
	fi
done
echo "total: $total executions" >> "$out/summary.txt"
echo "# $total executions in all"
exit $rc
