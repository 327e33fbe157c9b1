#!/bin/bash
# Our in-guest tests, one file per feature, in one guest: runs each test file with bash and
# merges their TAP into one stream, each result named "FILE: case". A file that exits non-zero
# without a failing case, or prints no plan, is a failure of its own.
#
#   tools/vm selftests/guest/run.sh [FILE...]     FILE: e.g. smoke.sh (default: all tests)
#   tools/vm selftests/guest/smoke.sh             one file alone, its own TAP
#
# A test file is a selftests/guest/*.sh whose second line starts with "# ofnic-test:".
# The driver is unloaded between files so each starts from a fresh probe.
. /ofnic/selftests/lib/guest.sh
DIR=/ofnic/selftests/guest
LOGDIR=/ofnic-out/guest
mkdir -p "$LOGDIR"

files=("$@")
if [ ${#files[@]} = 0 ]; then
	for f in "$DIR"/*.sh; do
		sed -n 2p "$f" | grep -q '^# ofnic-test:' && files+=("${f##*/}")
	done
fi

echo "TAP version 13"
N=0 FAILED=0
for f in "${files[@]}"; do
	if [ ! -f "$DIR/$f" ]; then
		N=$((N + 1)); FAILED=1
		echo "not ok $N - $f: no such test in selftests/guest"
		continue
	fi
	t0=$(date +%s)
	bash "$DIR/$f" > "$LOGDIR/$f.tap" 2>&1
	rc=$?
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ ok|ok)\ [0-9]+(\ -)?\ ?(.*)$ ]]; then
			N=$((N + 1))
			echo "${BASH_REMATCH[1]} $N - $f: ${BASH_REMATCH[3]}"
			[ "${BASH_REMATCH[1]}" = ok ] || [[ $line == *"# TODO"* ]] || FAILED=1
		elif [[ $line == '#'* ]]; then
			echo "$line"
		fi
	done < "$LOGDIR/$f.tap"
	echo "# $f: exit $rc after $(($(date +%s) - t0)) s"
	if [ "$rc" != 0 ] && ! grep -q '^not ok' "$LOGDIR/$f.tap"; then
		N=$((N + 1)); FAILED=1
		echo "not ok $N - $f: exited with status $rc"
		tail -n 20 "$LOGDIR/$f.tap" | tap_diag
	else
		plan=$(grep -oE '^1\.\.[0-9]+' "$LOGDIR/$f.tap" | head -n1)
		ran=$(grep -cE '^(not ok|ok) [0-9]+' "$LOGDIR/$f.tap")
		if [ -z "$plan" ] || [ "${plan#1..}" != "$ran" ]; then
			N=$((N + 1)); FAILED=1
			echo "not ok $N - $f: ran $ran cases of ${plan#1..}${plan:-no plan} (it stopped early)"
		fi
	fi
	# The next file starts from an unloaded driver and the root namespace only.
	ip netns del "$REMOTE_NS" 2>/dev/null
	rmmod ofnic 2>/dev/null
done
echo "1..$N"
exit $FAILED
