#!/bin/bash
# ofnic-vm-test: faults (needs the fault-* device properties; tools/test runs it as below)
# Wire fault injection (TAP): both ports drop, corrupt, duplicate and reorder some of the frames
# they receive (QEMU properties fault-drop/-corrupt/-dup/-reorder, per 10000 frames). A TCP
# transfer whose bytes are checked end to end must arrive intact with B's LRO and then with
# its HW-GRO on: coalescing never merges across a gap, and corrupted frames are reported as bad
# (device rx_csum_bad, the stack's InCsumErrors) rather than passed on as good. TCP recovers
# (retransmissions), iperf3 moves data, and dmesg stays clean. That is with FEC off (the ports
# run RS by default, which corrects every flipped bit): last, B's RS-FEC corrects them all and
# no bad checksum reaches its stack. Without internal loopback (loopback=off), the self-test
# passes with the tests the device can run.
# Run: tools/vm --dev-opts fault-drop=20,fault-corrupt=20,fault-dup=20,fault-reorder=50,loopback=off \
#          selftests/guest/faults.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh
CHECK=/ofnic/selftests/lib/tcpcheck.py
MB=${FAULT_MB:-16}
W=$(mktemp -d)

tap_plan 15
dmesg -C
ofnic_pair
[ -n "$CAPS" ] || exit 1
bstat() { rns ethtool -S "$B" | awk -v n="$1:" '$1 == n { print $2 }'; }
tcp_snmp() {	# tcp_snmp NS|- FIELD: a Tcp counter of /proc/net/snmp in that namespace
	local pre=()
	[ "$1" = - ] || pre=(ip netns exec "$1")
	"${pre[@]}" cat /proc/net/snmp |
		awk -v f="$2" '$1 == "Tcp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
			else print $c[f] }'
}
echo "# fault counters of B at the start: dropped $(bstat rx_fault_dropped)," \
	"corrupted $(bstat rx_fault_corrupted)"

# transfer MODE SEED: MB MiB A -> B through B's coalescing MODE (lro or hw-gro), bytes checked
transfer() {
	local mode=$1 seed=$2 sent got c0 c1 o0 o1
	if [ "$mode" = lro ]; then
		rns ethtool -K "$B" rx-gro-hw off lro on || return 1
	else
		rns ethtool -K "$B" lro off rx-gro-hw on || return 1
	fi
	c0=$(bstat rx_coalesced_packets) o0=$(bstat rx_coalesce_flush_out_of_order)
	rns timeout 300 python3 "$CHECK" serve "$REMOTE_V4" 9000 > "$W/got" 2>&1 &
	local srv=$!
	sleep 1
	sent=$(timeout 300 python3 "$CHECK" send "$REMOTE_V4" 9000 "$MB" "$seed") ||
		{ echo "sender failed: $sent"; kill "$srv" 2>/dev/null; return 1; }
	wait "$srv"
	got=$(cat "$W/got")
	c1=$(bstat rx_coalesced_packets) o1=$(bstat rx_coalesce_flush_out_of_order)
	echo "$mode: sent $sent"
	echo "$mode: got  $got"
	echo "$mode: B coalesced $((c1 - c0)) packets, $((o1 - o0)) flushes on a gap or reordering"
	[ -n "$sent" ] && [ "$sent" = "$got" ] && [ $((c1 - c0)) -gt 0 ]
}
fec_default() {	# RS on both ports; off for the checks of corrupted frames that follow
	local out
	out=$(ethtool --show-fec "$A"; rns ethtool --show-fec "$B") || return 1
	echo "$out"
	[ "$(grep -c "Active FEC encoding: RS" <<< "$out")" = 2 ] || { echo "not RS on both"; return 1; }
	rns ethtool --set-fec "$B" encoding auto 2>/dev/null && { echo "auto accepted"; return 1; }
	ethtool --set-fec "$A" encoding off && rns ethtool --set-fec "$B" encoding off || return 1
	rns ethtool --show-fec "$B" | grep -q "Active FEC encoding: Off"
}
tap_check "FEC: RS on both ports by default, auto refused, off set" fec_default
r0=$(tcp_snmp - RetransSegs)
e0=$(tcp_snmp "$REMOTE_NS" InCsumErrors)
bad0=$(bstat rx_csum_bad) corr0=$(bstat rx_fault_corrupted)
ooo0=$(bstat rx_coalesce_flush_out_of_order)
if feat_b=$(rns ethtool --json -k "$B" | jq -r '.[0]["large-receive-offload"].fixed') &&
   [ "$feat_b" = false ]; then
	tap_check "$MB MiB A -> B intact through B's LRO" transfer lro 1
else
	tap_skip "$MB MiB A -> B intact through B's LRO" "lro is [fixed] on B"
fi
tap_check "$MB MiB A -> B intact through B's HW-GRO" transfer hw-gro 2

drop=$(bstat rx_fault_dropped) corr=$(bstat rx_fault_corrupted)
dup=$(bstat rx_fault_duplicated) reo=$(bstat rx_fault_reordered)
echo "# B's faults: $drop dropped, $corr corrupted, $dup duplicated, $reo reordered"
tap_ok "$([ "$drop" -gt 0 ] && [ "$corr" -gt 0 ] && [ "$dup" -gt 0 ] && [ "$reo" -gt 0 ]
	echo $?)" "B dropped, corrupted, duplicated and reordered frames"
ooo=$(($(bstat rx_coalesce_flush_out_of_order) - ooo0))
tap_ok "$([ "$ooo" -gt 0 ]; echo $?)" "B's coalescing flushed on gaps and reordering ($ooo times)"
# Over the two transfers every frame B takes in past 128 bytes is TCP over IPv4: each flip
# lands in a TCP checksum's reach, so each corrupted frame must be reported bad, and no other.
bad=$(($(bstat rx_csum_bad) - bad0)) tcorr=$(($(bstat rx_fault_corrupted) - corr0))
errs=$(($(tcp_snmp "$REMOTE_NS" InCsumErrors) - e0))
echo "# corrupted during the transfers $tcorr, device rx_csum_bad +$bad, B's TCP InCsumErrors +$errs"
tap_ok "$([ "$tcorr" -gt 0 ] && [ "$bad" = "$tcorr" ]; echo $?)" \
	"every corrupted frame reported bad by the device, and no other ($bad of $tcorr)"
tap_ok "$([ "$errs" = "$tcorr" ]; echo $?)" \
	"the stack counted each as a TCP checksum error ($errs of $tcorr)"
retr=$(($(tcp_snmp - RetransSegs) - r0))
tap_ok "$([ "$retr" -gt 0 ]; echo $?)" "TCP recovered by retransmitting ($retr segments)"
m=$(IPERF_SECS=4 iperf_mbps)
tap_ok "$([ "${m:-0}" -gt 0 ]; echo $?)" "iperf3 A -> B under faults ($m Mbit/s)"
fec_rs() {	# B's RS-FEC: every flipped bit corrected, no bad checksum, stats alike
	local c0 f0 b0 c1 f1 b1 nl
	rns ethtool --set-fec "$B" encoding rs || return 1
	c0=$(bstat rx_fault_corrupted) f0=$(bstat fec_corrected_blocks) b0=$(bstat rx_csum_bad)
	transfer hw-gro 3 || return 1
	c1=$(bstat rx_fault_corrupted) f1=$(bstat fec_corrected_blocks) b1=$(bstat rx_csum_bad)
	nl=$(rns ethtool -I --show-fec "$B" | awk '$1 == "corrected_blocks:" { print $2 }')
	echo "B: $((c1 - c0)) frames with a flipped bit, $((f1 - f0)) blocks corrected" \
		"(netlink corrected_blocks $nl, -S $f1), rx_csum_bad +$((b1 - b0))"
	[ $((c1 - c0)) -gt 0 ] && [ $((f1 - f0)) = $((c1 - c0)) ] && [ "$b1" = "$b0" ] &&
		[ "$nl" = "$f1" ]
}
tap_check "$MB MiB A -> B intact through B's RS-FEC: every flipped bit corrected, none bad" fec_rs
# The ports are built without internal loopback as well (loopback=off, tools/test): the
# feature is fixed off and the self-test runs only what the device can do
no_loopback() {
	local out
	out=$(ethtool -t "$A" offline 2>&1)
	echo "$out"
	wait_carrier "$A" || return 1
	[ "$(feat loopback fixed)" = true ] && [ "$(feat loopback active)" = false ] &&
		grep -q 'The test result is PASS' <<<"$out" && ! grep -q '^Loopback test' <<<"$out" &&
		[ "$(grep -cE '^(Register|Link) test' <<<"$out")" = 2 ]
}
if has_cap 23; then	# OFNIC_CAP_LOOPBACK
	tap_skip "no loopback: -t offline passes with the register and link tests" \
		"the ports have OFNIC_CAP_LOOPBACK (tools/test adds loopback=off)"
else
	tap_check "no loopback: -t offline passes with the register and link tests" no_loopback
fi
log=$(cat /ofnic-out/guest-errors.log 2>/dev/null)
[ -z "$log" ] || printf '%s\n' "$log" | head -n 10 | tap_diag
tap_ok "$([ -z "$log" ]; echo $?)" "no guest error logged: faults are not the guest's doing"
teardown_pair "$A"
rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
