#!/bin/bash
# ofnic-vm-test: aer (needs tools/vm --aer: ports behind PCIe root ports, errors injected by the host)
# PCIe Advanced Error Reporting and the driver's error recovery (TAP). Port A sits behind a root
# port of its own; the host injects into it (QEMU's pcie_aer_inject_error, asked for with an
# OFNIC-AER-INJECT line on the console) a correctable, a non-fatal and a fatal uncorrectable
# error. The kernel's AER service must see each one; the driver must recover from the
# uncorrectable ones: the non-fatal one by resetting the device itself, the fatal one after
# the kernel reset the link (which resets the device: every register, ring and counter).
# After each: traffic both ways, the configuration it had (MTU 4000, RX checksums, TSO off,
# the VXLAN port in its tunnel table) still applied, and its counters not gone backwards.
# Run: tools/vm --aer selftests/guest/aer.sh
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh

W=$(mktemp -d)
tap_plan 13
ofnic_pair
BDF=$(basename "$(readlink -f "/sys/class/net/$A/device")")
# tools/vm names port N's device ofnicN and gives it MAC 52:54:00:00:00:0(N+1)
QID=ofnic$(( $(cut -d: -f6 "/sys/class/net/$A/address") - 1 ))
echo "# $A is $BDF, QEMU device $QID"

aer_total() {	# aer_total correctable|nonfatal|fatal: the AER service's count for A
	awk '$1 ~ /^TOTAL_ERR_/ { print $2 }' "/sys/bus/pci/devices/$BDF/aer_dev_$1" 2>/dev/null
}
# inject ARGS...: has the host inject the error (the line goes to the console as it is
# printed, not through a capture); wait_log: waits (30 s at most) until the kernel's log has
# one more line matching WAIT_FOR than it had before the injection
inject() {
	LOG0=$(dmesg | grep -cE "$WAIT_FOR")
	echo "OFNIC-AER-INJECT $*"
}
wait_log() {
	local i
	for i in $(seq 150); do
		[ "$(dmesg | grep -cE "$WAIT_FOR")" -gt "$LOG0" ] && return 0
		sleep 0.2
	done
	echo "no '$WAIT_FOR' in the kernel log 30 s after the injection"
	return 1
}
# traffic: both ways, with frames of the MTU set (DF, so the device's MAX_FRAME must allow them)
traffic() {
	ping -q -c3 -i0.2 -W2 -M do -s 3900 "$REMOTE_V4" >/dev/null ||
		{ echo "3928-byte pings A -> B lost"; return 1; }
	rns ping -q -c3 -i0.2 -W2 -M do -s 3900 "$LOCAL_V4" >/dev/null ||
		{ echo "3928-byte pings B -> A lost"; return 1; }
	iperf_start "$REMOTE_V4" 3 || return 1
	iperf_end || { echo "iperf3 A -> B failed"; return 1; }
	echo "iperf3 A -> B: $MBPS Mbit/s"
	[ "$MBPS" -gt 0 ]
}
# the configuration, as the device applies it after its reset: MTU 4000 (its maximum frame:
# the 3928-byte pings B -> A), RX checksum validation on (its offload control: rx_csum_good
# grows), and TSO kept off by the driver (the device segments nothing: tx_tso_packets)
config_kept() {
	local mtu tso seg0 seg1 good0 good1
	mtu=$(cat "/sys/class/net/$A/mtu")
	tso=$(feat tcp-segmentation-offload active)
	seg0=$(hwstat tx_tso_packets)
	good0=$(hwstat rx_csum_good)
	traffic || return 1
	seg1=$(hwstat tx_tso_packets)
	good1=$(hwstat rx_csum_good)
	echo "MTU $mtu, TSO $tso, device TSO packets $seg0 -> $seg1, RX checksums good $good0 -> $good1"
	[ "$mtu" = 4000 ] && [ "$tso" = false ] && [ "$seg0" = "$seg1" ] && [ "$good1" -gt "$good0" ]
}
# after N: all of recovered N, config_kept and counters_kept (each says what it saw)
after() {
	local rc=0
	recovered "$1" || rc=1
	config_kept || rc=1
	tunnel_rx || rc=1
	counters_kept || rc=1
	return $rc
}
# the device's UDP tunnel port table (emptied by its reset, written again through the core's
# udp_tunnel_nic): VXLAN from B to A's port 4789 is parsed as a tunnel (rx_tunnel_packets)
tunnel_rx() {
	local t0 t
	t0=$(hwstat rx_tunnel_packets)
	rns ping -q -c3 -i0.2 -W2 10.42.0.1 >/dev/null || { echo "no ping over VXLAN B -> A"; return 1; }
	t=$(hwstat rx_tunnel_packets)
	echo "VXLAN B -> A: device rx_tunnel_packets $t0 -> $t"
	[ "$t" -ge $((t0 + 3)) ]
}
counters_kept() {	# the device's frame counters did not go back to 0 with it
	local now
	now=$(hwstat tx_wire_frames)
	echo "tx_wire_frames: $FRAMES before the error, $now after"
	[ -n "$now" ] && [ "$now" -ge "$FRAMES" ]
}

for f in correctable nonfatal fatal; do
	[ -r "/sys/bus/pci/devices/$BDF/aer_dev_$f" ] || break
done
tap_ok $? "$A ($BDF) reports errors through AER (aer_dev_* in sysfs)"

ip link set "$A" mtu 4000 && rns ip link set "$B" mtu 4000 && ethtool -K "$A" tso off
tap_run "traffic before any error (MTU 4000, TSO off)" traffic
vxlan_setup() {
	ip link add vx4 type vxlan id 42 dstport 4789 local "$LOCAL_V4" remote "$REMOTE_V4" dev "$A" &&
		rns ip link add vx4 type vxlan id 42 dstport 4789 local "$REMOTE_V4" \
			remote "$LOCAL_V4" dev "$B" || return 1
	ip addr add 10.42.0.1/24 dev vx4 && ip link set vx4 up || return 1
	rns ip addr add 10.42.0.2/24 dev vx4 && rns ip link set vx4 up || return 1
	wait_reachable 10.42.0.2 vx4 && tunnel_rx
}
tap_check "VXLAN port 4789 in the device's tunnel table: B's VXLAN parsed as a tunnel" vxlan_setup

c0=$(aer_total correctable)
WAIT_FOR="$BDF.*(Correctable|Corrected)"
inject "$QID" BAD_TLP
tap_run "correctable error (Bad TLP): the AER service reports it" wait_log
c1=$(aer_total correctable)
echo "# aer_dev_correctable TOTAL_ERR_COR: $c0 -> $c1"
no_driver_recovery() {
	if dmesg | grep -q "$A: PCIe error"; then
		echo "the driver stopped for a correctable error"
		return 1
	fi
	[ "$c1" -gt "$c0" ] && traffic
}
tap_run "correctable error: counted, the driver not involved, traffic flows" no_driver_recovery

# recovered N: the kernel's recovery succeeded and the driver has recovered N times
recovered() {
	dmesg | grep -q "AER: device recovery successful" || { echo "the kernel's recovery failed"; return 1; }
	local n
	n=$(dmesg | grep -c "$A: recovered from the PCIe error")
	[ "$n" = "$1" ] || { echo "the driver recovered $n times, not $1"; return 1; }
}
WAIT_FOR="$A: recovered from the PCIe error|device recovery (failed|successful)"
FRAMES=$(hwstat tx_wire_frames)
n0=$(aer_total nonfatal)
inject "$QID" COMP_TIME
tap_run "non-fatal error (completion timeout): recovery ends" wait_log
echo "# aer_dev_nonfatal TOTAL_ERR_NONFATAL: $n0 -> $(aer_total nonfatal)"
dmesg | grep -E "$A: (PCIe error|recovered)|AER: device recovery" | tail -n 3 | tap_diag
tap_run "non-fatal error: the driver reset the device and recovered" recovered 1
tap_check "after the non-fatal error: traffic, MTU, RX checksums, TSO off and tunnel port kept, counters kept" \
	after 1

FRAMES=$(hwstat tx_wire_frames)
inject "$QID" MALF_TLP
tap_run "fatal error (malformed TLP): recovery ends" wait_log
dmesg | grep -E "$A: (PCIe error|recovered)|AER: device recovery|Uncorrected \(Fatal\)" |
	tail -n 4 | tap_diag
tap_check "after the fatal error: the link reset, the driver recovered, traffic, MTU, RX checksums, TSO off and tunnel port kept, counters kept" \
	after 2

tap_run "no kernel warning" no_warn
tap_done
