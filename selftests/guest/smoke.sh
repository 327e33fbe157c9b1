#!/bin/bash
# ofnic-test: smoke
# In-guest smoke test (TAP): probe, ping v4/v6 both ways, iperf3 both directions, three
# rmmod/insmod cycles with traffic in between, and a dmesg free of WARN/BUG.
# Run: tools/vm selftests/guest/smoke.sh
. /ofnic/selftests/lib/guest.sh
MODEL=${OFNIC_NICS%% *}
MODEL=${MODEL:-ofnic}
DRV=$(nic_driver "$MODEL")
CYCLES=3
export IPERF_SECS=${IPERF_SECS:-4}

tap_plan $((11 + CYCLES * 4))
dmesg -C

tap_run "load $DRV" load_driver "$MODEL"
wait_ifaces "$DRV" 2
mapfile -t IFS_ < <(nic_ifaces "$DRV")
A=${IFS_[0]:-}
B=${IFS_[1]:-}
tap_ok "$([ -n "$A" ] && [ -n "$B" ]; echo $?)" "two $DRV ports probed (${IFS_[*]})"
if [ -z "$A" ] || [ -z "$B" ]; then
	lspci -nn 2>/dev/null | tap_diag; dmesg | tail -n 20 | tap_diag
	exit 1
fi
ethtool -i "$A" | tap_diag
tap_ok "$(ethtool -i "$A" | grep -q "^driver: $DRV\$"; echo $?)" "ethtool -i reports driver $DRV"
tap_run "wire $A <-> $B (B in netns $REMOTE_NS)" setup_pair "$A" "$B"
tap_run "ping IPv4 A -> B" ping -c3 -i0.2 -W2 "$REMOTE_V4"
tap_run "ping IPv4 B -> A" ip netns exec "$REMOTE_NS" ping -c3 -i0.2 -W2 "$LOCAL_V4"
tap_run "ping IPv6 A -> B" ping -6 -c3 -i0.2 -W2 "$REMOTE_V6"
tap_run "ping IPv6 B -> A" ip netns exec "$REMOTE_NS" ping -6 -c3 -i0.2 -W2 "$LOCAL_V6"
m=$(iperf_mbps)
echo "# iperf3 A -> B: $m Mbit/s"
tap_ok "$([ "${m:-0}" -gt 0 ]; echo $?)" "iperf3 A -> B ($m Mbit/s)"
m=$(iperf_mbps_rev)
echo "# iperf3 B -> A: $m Mbit/s"
tap_ok "$([ "${m:-0}" -gt 0 ]; echo $?)" "iperf3 B -> A ($m Mbit/s)"

for c in $(seq "$CYCLES"); do
	teardown_pair "$A"
	if [ "$MODEL" = ofnic ]; then
		tap_run "cycle $c: rmmod ofnic" rmmod ofnic
		tap_run "cycle $c: insmod ofnic" insmod "$OFNIC_KO"
	else
		tap_run "cycle $c: rmmod $DRV" modprobe -r "$DRV"
		tap_run "cycle $c: modprobe $DRV" load_driver "$MODEL"
	fi
	wait_ifaces "$DRV" 2
	mapfile -t IFS_ < <(nic_ifaces "$DRV")
	A=${IFS_[0]:-}
	B=${IFS_[1]:-}
	tap_run "cycle $c: wire and ping" setup_pair "$A" "$B"
	IPERF_SECS=2 m=$(IPERF_SECS=2 iperf_mbps)
	tap_ok "$([ "${m:-0}" -gt 0 ]; echo $?)" "cycle $c: iperf3 ($m Mbit/s)"
done
teardown_pair "$A"
[ "$MODEL" = ofnic ] && rmmod ofnic

bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
