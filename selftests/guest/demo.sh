#!/bin/bash
# The ofnic demo, inside the guest: two ofnic ports, port B in a namespace; the driver, its
# features, and traffic between the ports. Run: make demo (tools/demo).
. /ofnic/selftests/lib/guest.sh
export IPERF_SECS=${IPERF_SECS:-5}
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "lspci: the ofnic ports (1af4:10f0)"
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1af4:0x10f0 ] && echo "${d##*/} ofnic [1af4:10f0] rev $(cat "$d/revision")"
done
step "insmod ofnic.ko"
load_driver ofnic || exit 1
wait_ifaces ofnic 2 || { echo "the driver bound no ports"; dmesg | tail; exit 1; }
mapfile -t P < <(nic_ifaces ofnic)
A=${P[0]} B=${P[1]}
dmesg | grep -i ofnic | tail -n 6
step "ethtool -i $A"
ethtool -i "$A"
step "ethtool -k $A (offload features)"
ethtool -k "$A"
step "ethtool -l / -g $A (channels and rings)"
ethtool -l "$A"
ethtool -g "$A"
step "wire: $A ($LOCAL_V4) here, $B ($REMOTE_V4) in netns $REMOTE_NS"
setup_pair "$A" "$B" || exit 1
ip -br addr show dev "$A"
ip netns exec "$REMOTE_NS" ip -br addr show dev "$B"
step "ping both ways, IPv4 and IPv6"
ping -c3 -i0.2 "$REMOTE_V4" | tail -n 2
ip netns exec "$REMOTE_NS" ping -6 -c3 -i0.2 "$LOCAL_V6" | tail -n 2
step "iperf3 TCP, ${IPERF_SECS}s each way"
f=$(iperf_mbps)
r=$(iperf_mbps_rev)
echo "A -> B: $f Mbit/s"
echo "B -> A: $r Mbit/s"
step "per-queue interrupts"
grep -E "$A-|$B-" /proc/interrupts | awk '{ s = 0; for (i = 2; i <= NF - 3; i++) s += $i; print $NF ": " s }' || true
step "ethtool -S $A (device counters, non-zero)"
ethtool -S "$A" | awk -F: '$2 + 0 != 0' | head -n 40
teardown_pair "$A"
rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || { echo "kernel complained:"; echo "$bad"; exit 1; }
[ "${f:-0}" -gt 0 ] && [ "${r:-0}" -gt 0 ]
