#!/bin/bash
# ofnic-vm-test: stress (a guest of its own: tools/test runs it after selftests/guest/run.sh)
# Driver stress under load (TAP): while iperf3 runs both ways between ports A and B, apply
# STRESS_OPS (default 1000) random operations a user can type: ethtool -K (every switchable
# feature, either port), -L, -G, -C, -X (equal, weights, keys, RSS contexts), ntuple add/delete,
# MTU changes, link down/up and rmmod/insmod. Some arguments are invalid on purpose: those must
# be refused with a message. No operation may hang; the interface counters (ip -s link) and the
# device counters (ethtool -S), read every 10 operations, never go backwards between two loads
# of the driver; afterwards the ports are put back to their defaults, traffic must flow again
# within seconds, and dmesg must be free of WARN/BUG/Oops/refcount/page_pool leak messages.
# Every operation is logged to /ofnic-out/stress-ops.log; STRESS_SEED=N repeats a sequence.
# Run: tools/vm selftests/guest/stress.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
OPS=${STRESS_OPS:-1000}
SEED=${STRESS_SEED:-$(($(date +%s) % 100000))}
OPLOG=/ofnic-out/stress-ops.log
OP_TIMEOUT=30
W=$(mktemp -d)

tap_plan 13
dmesg -C
echo "# $OPS operations, seed $SEED (STRESS_SEED=$SEED repeats them)"
RANDOM=$SEED
rnd() { R=$((RANDOM % $1)); }			# rnd N: R = 0..N-1
pick() { rnd $#; shift "$R"; R=$1; }		# pick WORD...: R = one of them

ofnic_pair
[ -n "$CAPS" ] || exit 1

# ---- background load: iperf3 both ways, restarted whenever a run ends ----------------------
rns iperf3 -s -D --pidfile "$W/srv-b.pid" >/dev/null 2>&1
iperf3 -s -D --pidfile "$W/srv-a.pid" >/dev/null 2>&1
load_loop() {	# load_loop NAME CMD...: runs CMD until $W/stop exists; one line per run
	local name=$1 n=0 mb
	shift
	while [ ! -e "$W/stop" ]; do
		n=$((n + 1))
		if timeout 25 "$@" -t 5 -J > "$W/$name.json" 2>/dev/null; then
			mb=$(jq -r '.end.sum_received.bytes / 1e6 | floor' "$W/$name.json" 2>/dev/null)
			echo "ok ${mb:-0}"
		else
			echo "fail"
			sleep 0.5
		fi
	done > "$W/$name.runs"
}
load_loop a2b iperf3 -c "$REMOTE_V4" -P 2 &
LOAD_A=$!
load_loop b2a ip netns exec "$REMOTE_NS" iperf3 -c "$LOCAL_V4" &
LOAD_B=$!
sleep 2
tap_ok "$(pgrep -f "iperf3 -c $REMOTE_V4" >/dev/null && pgrep -f "iperf3 -c $LOCAL_V4" >/dev/null
	echo $?)" "iperf3 load running both ways"

# what each port starts with: restored after the operations
features_now() {	# "feature on|off" for each switchable feature
	on_port ethtool --json -k "$DEV" |
		jq -r '.[0] | to_entries[] | select(.value | type == "object") |
			select(.value.fixed == false) |
			"\(.key) \(if .value.requested then "on" else "off" end)"'
}
coalesce_now() {
	on_port ethtool -c "$DEV" | awk '
		$1 == "Adaptive" && $2 == "RX:" { printf "adaptive-rx %s ", $3 }
		$1 ~ /^(rx|tx)-(usecs|frames):$/ && $2 ~ /^[0-9]+$/ { sub(/:$/, "", $1); printf "%s %s ", $1, $2 }'
}

# ---- the operations ----------------------------------------------------------------------
PORT=A DEV=$A
on_port() {	# run a command in the port's namespace
	if [ "$PORT" = B ]; then rns "$@"; else "$@"; fi
}
switchable() { features_now | cut -d' ' -f1; }	# features of DEV that are not [fixed]
maximum() {	# maximum -l|-g FIELD: the pre-set maximum ethtool prints
	on_port ethtool "$1" "$DEV" | awk -v f="$2:" '$1 == f { print $2; exit }'
}
NTUPLE_LOCS=()
CONTEXTS=()

# gen_op: sets OP (a description), CMD (an array run with on_port) and EXPECT (ok, fail or any).
# Random numbers only through rnd/pick, never in $(...): bash reseeds RANDOM in a subshell, and
# the parent's sequence (the one STRESS_SEED fixes) would not move.
gen_op() {
	local r q max f w i key
	PORT=A DEV=$A EXPECT=any OP="" CMD=()
	rnd 10; [ "$R" -ge 7 ] && { PORT=B; DEV=$B; }
	rnd 100; r=$R
	if [ "$r" -lt 38 ]; then
		if [ "$PORT" = A ]; then pick "${FEATS_A[@]}"; else pick "${FEATS_B[@]}"; fi
		f=$R
		pick on off
		CMD=(ethtool -K "$DEV" "$f" "$R")
	elif [ "$r" -lt 46 ]; then
		max=$(maximum -l Combined)
		rnd "${max:-1}"; q=$((1 + R))
		rnd 8
		if [ "$R" = 0 ]; then
			rnd 4; q=$((max + 1 + R))
			EXPECT=fail
		fi
		CMD=(ethtool -L "$DEV" combined "$q")
	elif [ "$r" -lt 54 ]; then
		max=$(maximum -g RX)
		local rx tx
		pick 64 128 256 512 1024 2048 4096; rx=$R
		pick 64 128 256 512 1024 2048 4096; tx=$R
		EXPECT=ok
		[ "$rx" -le "${max:-0}" ] && [ "$tx" -le "${max:-0}" ] || EXPECT=fail
		rnd 8
		if [ "$R" = 0 ]; then
			rnd 60; rx=$((rx + 1 + R))	# not a power of two
			EXPECT=fail
		fi
		CMD=(ethtool -G "$DEV" rx "$rx" tx "$tx")
	elif [ "$r" -lt 61 ]; then
		EXPECT=ok
		rnd 4
		case $R in
		0) rnd 300; f=$R; rnd 300; CMD=(ethtool -C "$DEV" rx-usecs "$f" tx-usecs "$R") ;;
		1) rnd 256; f=$R; rnd 256; CMD=(ethtool -C "$DEV" rx-frames "$f" tx-frames "$R") ;;
		2) pick on off; CMD=(ethtool -C "$DEV" adaptive-rx "$R") ;;
		3) CMD=(ethtool -C "$DEV" rx-usecs 100000); EXPECT=fail ;;
		esac
	elif [ "$r" -lt 71 ]; then
		PORT=A DEV=$A
		q=$(on_port ethtool -l "$DEV" | awk '$1 == "Combined:" { c = $2 } END { print c }')
		rnd 6
		case $R in
		0) rnd "$q"; CMD=(ethtool -X "$DEV" equal "$((1 + R))"); EXPECT=ok ;;
		1) w=()
		   for ((i = 0; i < q; i++)); do rnd 4; w+=("$R"); done
		   CMD=(ethtool -X "$DEV" weight "${w[@]}") ;;
		2) key=""
		   for ((i = 0; i < 40; i++)); do rnd 256; key+=$(printf '%s%02x' "${key:+:}" "$R"); done
		   CMD=(ethtool -X "$DEV" hkey "$key"); EXPECT=ok ;;
		3) CMD=(ethtool -X "$DEV" default); EXPECT=ok ;;
		4) rnd "$q"; CMD=(ethtool -X "$DEV" context new equal "$((1 + R))") ;;
		5) if [ ${#CONTEXTS[@]} -gt 0 ]; then
			pick "${CONTEXTS[@]}"
			# nothing but a reload removes a context: deleting a listed one must work
			CMD=(ethtool -X "$DEV" context "$R" delete); EXPECT=ok
		   else
			CMD=(ethtool -X "$DEV" context 7 delete); EXPECT=fail
		   fi ;;
		esac
	elif [ "$r" -lt 81 ]; then
		PORT=A DEV=$A
		q=$(on_port ethtool -l "$DEV" | awk '$1 == "Combined:" { c = $2 } END { print c }')
		rnd 3
		if [ "$R" = 0 ] && [ ${#NTUPLE_LOCS[@]} -gt 0 ]; then
			pick "${NTUPLE_LOCS[@]}"
			CMD=(ethtool -N "$DEV" delete "$R")
		else
			local act flow
			rnd $((q + 1)); act=$((R - 1))	# -1: drop
			rnd 10; [ "$R" = 0 ] && { act=$((q + 3)); EXPECT=fail; }
			pick tcp4 udp4 tcp6 udp6; flow=$R
			# never iperf3's port: a drop rule would stop the load for good
			rnd 50000
			CMD=(ethtool -N "$DEV" flow-type "$flow" dst-port "$((10000 + R))" action "$act")
		fi
	elif [ "$r" -lt 88 ]; then
		local mtu
		pick 68 576 1280 1500 1500 4000 9000 9500; mtu=$R
		max=$(on_port ip -d -j link show "$DEV" | jq -r '.[0].max_mtu')
		EXPECT=ok
		rnd 10
		if [ "$R" = 0 ]; then
			rnd 100; mtu=$((max + 1 + R))
		fi
		[ "$mtu" -le "$max" ] || EXPECT=fail
		CMD=(ip link set "$DEV" mtu "$mtu")
	elif [ "$r" -lt 97 ]; then
		rnd 10
		CMD=(sh -c "ip link set $DEV down && sleep 0.$R && ip link set $DEV up")
		EXPECT=ok
	else
		PORT=A DEV=$A
		CMD=(reload)
		EXPECT=ok
	fi
	OP="$PORT: ${CMD[*]}"
}

# rmmod/insmod: both ports go; the pair is wired again and the load finds it
reload() {
	rmmod ofnic || return 1
	NTUPLE_LOCS=()
	CONTEXTS=()
	insmod "$OFNIC_KO" || return 1
	wait_ifaces ofnic 2 || { echo "the ports did not come back"; return 1; }
	mapfile -t ports < <(nic_ifaces ofnic)
	A=${ports[0]} B=${ports[1]}
	setup_pair "$A" "$B" && list_features
}
list_features() {	# the switchable features of each port (the set a load starts with)
	PORT=A DEV=$A
	mapfile -t FEATS_A < <(switchable)
	PORT=B DEV=$B
	mapfile -t FEATS_B < <(switchable)
}

# Counters: the interface's (ip -s link) and the device's (ethtool -S, device-wide names) of
# both ports; none may shrink between two loads
declare -A LAST
COUNTER_ERRS=0
check_counters() {
	local p k v
	for p in A B; do
		PORT=$p DEV=${!p}
		while read -r k v; do
			[ -n "$v" ] || continue
			if [ -n "${LAST[$p.$k]:-}" ] && [ "$v" -lt "${LAST[$p.$k]}" ]; then
				COUNTER_ERRS=$((COUNTER_ERRS + 1))
				echo "$p $k went back from ${LAST[$p.$k]} to $v after op $1" >> "$W/counters"
			fi
			LAST[$p.$k]=$v
		done < <(on_port ip -s -j link show "$DEV" |
				jq -r '.[0].stats64 | (.rx | to_entries[] | "rx_\(.key) \(.value)"),
					(.tx | to_entries[] | "tx_\(.key) \(.value)")'
			 on_port ethtool -S "$DEV" |
				awk 'NF == 2 && $2 ~ /^[0-9]+$/ && $1 !~ /^(drv_)?q[0-9]/ {
					sub(/:$/, "", $1); print "hw_" $1, $2 }')
	done
}
forget_counters() { LAST=(); }

declare -A INIT_FEAT INIT_COAL INIT_Q INIT_RING
for p in A B; do
	PORT=$p DEV=${!p}
	INIT_FEAT[$p]=$(features_now)
	INIT_COAL[$p]=$(coalesce_now)
	INIT_Q[$p]=$(on_port ethtool -l "$DEV" | awk '$1 == "Combined:" { c = $2 } END { print c }')
	INIT_RING[$p]=$(on_port ethtool -g "$DEV" | awk '/^Current/ { c = 1 } c && $1 == "RX:" { r = $2 }
		c && $1 == "TX:" { t = $2 } END { print "rx", r, "tx", t }')
done

list_features
N_OK=0 N_REFUSED=0 N_BADREFUSE=0 N_ACCEPTED_BAD=0 N_FAILED_VALID=0 N_HUNG=0 N_RELOAD=0
declare -A KIND
check_counters 0
t0=$(date +%s)
: > "$OPLOG"
for i in $(seq "$OPS"); do
	gen_op
	KIND[${CMD[0]} ${CMD[1]}]=$((${KIND[${CMD[0]} ${CMD[1]}]:-0} + 1))
	s=$(date +%s%N)
	if [ "${CMD[0]}" = reload ]; then
		reload > "$W/reload.out" 2>&1 && rc=0 || rc=$?
		out=$(cat "$W/reload.out")
		N_RELOAD=$((N_RELOAD + 1))
		forget_counters
	else
		out=$(on_port timeout "$OP_TIMEOUT" "${CMD[@]}" 2>&1) && rc=0 || rc=$?
	fi
	ms=$((($(date +%s%N) - s) / 1000000))
	printf '%d\t%s\trc %d\t%d ms\t%s\n' "$i" "$OP" "$rc" "$ms" "$(tr '\n' ' ' <<< "$out")" \
		>> "$OPLOG"
	if [ "$rc" = 124 ]; then
		N_HUNG=$((N_HUNG + 1))
		echo "op $i hung: $OP" >> "$W/problems"
	elif [ "$rc" = 0 ]; then
		N_OK=$((N_OK + 1))
		if [ "$EXPECT" = fail ]; then
			N_ACCEPTED_BAD=$((N_ACCEPTED_BAD + 1))
			echo "op $i accepted invalid arguments: $OP" >> "$W/problems"
		fi
		case "$OP" in
		*"context new"*) c=$(sed -n 's/.*New RSS context is \([0-9]*\).*/\1/p' <<< "$out")
			[ -z "$c" ] || CONTEXTS+=("$c") ;;
		*" delete") c=${CMD[4]}
			mapfile -t CONTEXTS < <(printf '%s\n' "${CONTEXTS[@]}" | grep -vx "$c") ;;
		*"ethtool -N"*" delete "*) c=${CMD[4]}
			mapfile -t NTUPLE_LOCS < <(printf '%s\n' "${NTUPLE_LOCS[@]}" | grep -vx "$c") ;;
		*"ethtool -N"*) c=$(sed -n 's/.*Added rule with ID \([0-9]*\).*/\1/p' <<< "$out")
			[ -z "$c" ] || NTUPLE_LOCS+=("$c") ;;
		esac
	else
		N_REFUSED=$((N_REFUSED + 1))
		if [ -z "$out" ]; then
			N_BADREFUSE=$((N_BADREFUSE + 1))
			echo "op $i failed without a message: $OP" >> "$W/problems"
		fi
		if [ "$EXPECT" = ok ]; then
			N_FAILED_VALID=$((N_FAILED_VALID + 1))
			echo "op $i failed: $OP: $out" >> "$W/problems"
		fi
	fi
	# every 10th operation (the checks cost more than most operations)
	[ $((i % 10)) != 0 ] || check_counters "$i"
	[ $((i % 100)) != 0 ] || echo "# $i operations, $(($(date +%s) - t0)) s"
done
check_counters "$OPS"
secs=$(($(date +%s) - t0))
touch "$W/stop"
echo "# $OPS operations in $secs s: $N_OK done, $N_REFUSED refused ($N_RELOAD reloads)"
for k in "${!KIND[@]}"; do echo "$k ${KIND[$k]}"; done | sort | tap_diag

tap_ok "$([ "$N_HUNG" = 0 ]; echo $?)" "$OPS random operations, none hung (timeout $OP_TIMEOUT s)"
tap_ok "$([ "$N_ACCEPTED_BAD" = 0 ]; echo $?)" "every invalid argument refused"
tap_ok "$([ "$N_BADREFUSE" = 0 ]; echo $?)" "every refusal comes with a message"
tap_ok "$([ "$N_FAILED_VALID" = 0 ]; echo $?)" "valid ring, coalescing, RSS, MTU and link operations succeed"
[ ! -s "$W/problems" ] || head -n 20 "$W/problems" | tap_diag
[ ! -s "$W/counters" ] || head -n 20 "$W/counters" | tap_diag
tap_ok "$([ "$COUNTER_ERRS" = 0 ]; echo $?)" "interface and device counters never went backwards ($COUNTER_ERRS)"

wait "$LOAD_A" "$LOAD_B"
# the load's servers go: the checks below start iperf3 servers of their own
kill "$(cat "$W/srv-a.pid" 2>/dev/null)" 2>/dev/null
rns kill "$(cat "$W/srv-b.pid" 2>/dev/null)" 2>/dev/null
sleep 0.5
runs=$(cat "$W/a2b.runs" "$W/b2a.runs" | wc -l)
good=$(cat "$W/a2b.runs" "$W/b2a.runs" | grep -c '^ok')
mb=$(cat "$W/a2b.runs" "$W/b2a.runs" | awk '$1 == "ok" { s += $2 } END { print s + 0 }')
echo "# load: $good of $runs iperf3 runs completed, $mb MB moved"
tap_ok "$([ "$good" -gt 0 ] && [ "$mb" -gt 0 ]; echo $?)" "iperf3 moved data during the operations ($mb MB, $good/$runs runs)"

# ---- back to defaults: traffic must flow again within seconds ------------------------------
restore() {
	local p cur
	# RSS and rules first: a table or rule naming a queue keeps -L from shrinking
	PORT=A DEV=$A
	for l in $(ethtool -n "$A" | awk '$1 == "Filter:" { print $2 }'); do
		ethtool -N "$A" delete "$l" || return 1
	done
	for c in "${CONTEXTS[@]}"; do ethtool -X "$A" context "$c" delete || return 1; done
	ethtool -X "$A" default || return 1
	for p in A B; do
		PORT=$p DEV=${!p}
		on_port ip link set "$DEV" mtu 1500 up || return 1
		cur=$(features_now)
		[ "$cur" = "${INIT_FEAT[$p]}" ] ||
			on_port ethtool -K "$DEV" ${INIT_FEAT[$p]} || return 1
		cur=$(features_now)
		[ "$cur" = "${INIT_FEAT[$p]}" ] || { echo "$p features not restored:";
			diff <(echo "${INIT_FEAT[$p]}") <(echo "$cur"); return 1; }
		[ "$(coalesce_now)" = "${INIT_COAL[$p]}" ] ||
			on_port ethtool -C "$DEV" ${INIT_COAL[$p]} || return 1
		[ "$(on_port ethtool -l "$DEV" | awk '$1 == "Combined:" { c = $2 } END { print c }')" = "${INIT_Q[$p]}" ] ||
			on_port ethtool -L "$DEV" combined "${INIT_Q[$p]}" || return 1
		on_port ethtool -G "$DEV" ${INIT_RING[$p]} 2>/dev/null
	done
	PORT=A DEV=$A
	ethtool -X "$A" hkey "$(od -An -tx1 -N40 /dev/urandom | tr -s ' \n' ':' | sed 's/^://; s/:$//')"
	sysctl -qw "net.ipv6.conf.$A.disable_ipv6=0"
	ip addr replace "$LOCAL_V6/64" dev "$A" nodad
	rns ip addr replace "$REMOTE_V6/64" dev "$B" nodad
	wait_carrier "$A" && wait_carrier "$B" "$REMOTE_NS"
}
tap_run "ports back to MTU 1500, link up, features on, RSS default, no rules" restore
recover() {
	local s ms
	s=$(date +%s%N)
	until ping -q -c1 -W1 "$REMOTE_V4" >/dev/null 2>&1; do
		[ $((($(date +%s%N) - s) / 1000000000)) -lt 10 ] || { echo "no ping in 10 s"; return 1; }
	done
	ms=$((($(date +%s%N) - s) / 1000000))
	MBPS=$(IPERF_SECS=3 iperf_mbps --connect-timeout 5000)
	echo "first ping after $ms ms, iperf3 A -> B $MBPS Mbit/s"
	[ "${MBPS:-0}" -gt 0 ]
}
tap_check "traffic flows again (ping within 10 s, iperf3)" recover

teardown_pair "$A"
rmmod ofnic
tap_run "rmmod ofnic at the end" sh -c '! lsmod | grep -q "^ofnic "'
sleep 1
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/refcount/page_pool leaks"
echo "# stress: ops=$OPS secs=$secs ok=$N_OK refused=$N_REFUSED reloads=$N_RELOAD hung=$N_HUNG warns=$(grep -c 'WARNING:' <<< "$bad")"
tap_done
