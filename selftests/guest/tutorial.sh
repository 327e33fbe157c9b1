#!/bin/bash
# ofnic-test: tutorial
# Runs every command of docs/tutorial.md, in its order, and checks what the tutorial says it
# shows: big packets before the device and MTU frames after it with TSO, the stack segmenting
# when TSO is off (GSO), USO's datagrams, checksums filled and verified by the device, HW-GRO
# and LRO handing the stack coalesced packets, RSS spreading flows over queues, VXLAN offloads.
# The doc's command lines ("    A# ...", "    B# ...") must be exactly the ones run here.
# Run: tools/vm selftests/guest/tutorial.sh (the commands and their output stream past)
. /ofnic/selftests/lib/guest.sh
DOC=/ofnic/docs/tutorial.md
RAN=/tmp/tutorial-commands

tap_plan 16
dmesg -C
: > "$RAN"
# A 'CMD' / B 'CMD': run a tutorial command on port A's side / in B's namespace, shown as typed
# (output to a file, not a pipe: a command may leave tcpdump running in the background)
A() { echo "A# $1" | tee -a "$RAN" | tap_diag; bash -c "$1" > /tmp/tutorial.out 2>&1
	tail -n 12 /tmp/tutorial.out | tap_diag; }
B() { echo "B# $1" | tee -a "$RAN" | tap_diag
	ip netns exec "$REMOTE_NS" bash -c "$1" > /tmp/tutorial.out 2>&1
	tail -n 12 /tmp/tutorial.out | tap_diag; }
stat() { ethtool -S "$1" | awk -v k="$2:" '$1 == k { print $2 }'; }
bstat() { ip netns exec "$REMOTE_NS" ethtool -S "$1" | awk -v k="$2:" '$1 == k { print $2 }'; }
# largest packet length in a pcap
maxlen() { tcpdump -r "$1" -nn 2>/dev/null | grep -oE 'length [0-9]+' | awk '$2 > m { m = $2 } END { print m + 0 }'; }

tap_run "load ofnic" load_driver ofnic
wait_ifaces ofnic 2
mapfile -t IFS_ < <(nic_ifaces ofnic)
tap_run "wire eth0 <-> eth1 (eth1 in netns $REMOTE_NS)" setup_pair "${IFS_[0]}" "${IFS_[1]}"
[ "${IFS_[0]}" = eth0 ] && [ "${IFS_[1]}" = eth1 ] || echo "# the tutorial's names are eth0/eth1, here ${IFS_[*]}"
ip netns exec "$REMOTE_NS" iperf3 -s -D -B "$REMOTE_V4" >/dev/null 2>&1
sleep 0.3

# ---- 1. what the port offers
A 'ethtool -k eth0 | grep -E "segmentation|checksumming|receive-offload|gro-hw|hashing|ntuple"'
tap_ok "$(ethtool -k eth0 | grep -q '^tcp-segmentation-offload: on'; echo $?)" "1: ethtool -k shows TSO on"

# ---- 2. TSO
s0=$(stat eth0 tx_tso_segments)
B 'ethtool -K eth1 gro off rx-gro-hw off; tcpdump -i eth1 -s 96 -w /tmp/wire.pcap tcp port 5201 & sleep 1'
A 'tcpdump -i eth0 -s 96 -w /tmp/sent.pcap tcp port 5201 & sleep 1; iperf3 -c 192.0.2.2 -t 2 >/dev/null; sleep 1; pkill tcpdump'
A 'tcpdump -r /tmp/sent.pcap -nn 2>/dev/null | grep -oE "length [0-9]+" | sort -k2 -n | tail -n 3'
B 'pkill tcpdump; sleep 0.5; tcpdump -r /tmp/wire.pcap -nn 2>/dev/null | grep -oE "length [0-9]+" | sort -k2 -n | tail -n 3'
A 'ethtool -S eth0 | grep -E "tx_tso_(packets|segments)"'
sent=$(maxlen /tmp/sent.pcap)
wire=$(ip netns exec "$REMOTE_NS" bash -c "$(declare -f maxlen); maxlen /tmp/wire.pcap")
tap_ok "$([ "$sent" -gt 1448 ]; echo $?)" "2: TSO: eth0's tcpdump sees packets over the MSS ($sent B of TCP payload)"
tap_ok "$([ "$wire" -gt 0 ] && [ "$wire" -le 1448 ]; echo $?)" \
	"2: TSO: what eth1 receives (its GRO and HW-GRO off) is within the MSS ($wire B)"
tap_ok "$([ $(($(stat eth0 tx_tso_segments) - s0)) -gt 1000 ]; echo $?)" \
	"2: TSO: the device counted the segments it made (+$(($(stat eth0 tx_tso_segments) - s0)))"

# ---- 3. GSO: TSO off, the stack segments just before the driver
A 'ethtool -K eth0 tso off'
s0=$(stat eth0 tx_tso_packets)
A 'tcpdump -i eth0 -s 96 -w /tmp/gso.pcap tcp port 5201 & sleep 1; iperf3 -c 192.0.2.2 -t 2 >/dev/null; sleep 1; pkill tcpdump'
A 'tcpdump -r /tmp/gso.pcap -nn 2>/dev/null | grep -oE "length [0-9]+" | sort -k2 -n | tail -n 1'
A 'ethtool -K eth0 tso on'
gso=$(maxlen /tmp/gso.pcap)
tap_ok "$([ "$gso" -gt 0 ] && [ "$gso" -le 1448 ] && [ "$(stat eth0 tx_tso_packets)" = "$s0" ]; echo $?)" \
	"3: GSO: with TSO off the driver gets MSS-sized packets ($gso B) and the device segments nothing"

# ---- 4. USO (what became of UFO)
s0=$(stat eth0 tx_uso_segments)
A 'python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_UDP, 103, 1400); s.sendto(bytes(14000), (\"192.0.2.2\", 9))"'
A 'ethtool -S eth0 | grep -E "tx_uso_(packets|segments)"'
tap_ok "$([ $(($(stat eth0 tx_uso_segments) - s0)) = 10 ]; echo $?)" \
	"4: USO: one 14000-byte send with UDP_SEGMENT 1400 left the device as 10 datagrams"

# ---- 5. checksums
t0=$(stat eth0 tx_csum_inserted) r0=$(bstat eth1 rx_csum_good)
A 'iperf3 -c 192.0.2.2 -t 1 >/dev/null; ethtool -S eth0 | grep tx_csum_inserted'
B 'ethtool -S eth1 | grep -E "rx_csum_(good|bad)"'
tap_ok "$([ "$(stat eth0 tx_csum_inserted)" -gt "$t0" ] && [ "$(bstat eth1 rx_csum_good)" -gt "$r0" ]; echo $?)" \
	"5: checksums filled by eth0's device and verified by eth1's"

# ---- 6. GRO in the NIC: HW-GRO and LRO
B 'ethtool -K eth1 rx-gro-hw on; tcpdump -i eth1 -s 96 -w /tmp/hwgro.pcap tcp port 5201 & sleep 1'
A 'iperf3 -c 192.0.2.2 -t 2 >/dev/null'
B 'pkill tcpdump; sleep 0.5; tcpdump -r /tmp/hwgro.pcap -nn 2>/dev/null | grep -oE "length [0-9]+" | sort -k2 -n | tail -n 2; ethtool -S eth1 | grep -E "rx_coalesced_(packets|segments)"'
hw=$(ip netns exec "$REMOTE_NS" bash -c "$(declare -f maxlen); maxlen /tmp/hwgro.pcap")
tap_ok "$([ "$hw" -gt 1448 ]; echo $?)" "6: HW-GRO: eth1's stack receives coalesced packets ($hw B)"
B 'ethtool -K eth1 rx-gro-hw off lro on; ethtool -k eth1 | grep -E "large-receive|gro-hw"'
c0=$(bstat eth1 rx_coalesced_packets)
A 'iperf3 -c 192.0.2.2 -t 2 >/dev/null'
B 'ethtool -S eth1 | grep rx_coalesced_packets; ethtool -K eth1 lro off gro on'
tap_ok "$([ "$(bstat eth1 rx_coalesced_packets)" -gt "$c0" ]; echo $?)" "6: LRO: the device coalesced again"

# ---- 7. RSS
B 'ethtool -x eth1 | head -n 4; ethtool -L eth1 combined 4'
A 'iperf3 -c 192.0.2.2 -t 2 -P 8 >/dev/null'
B 'ethtool -S eth1 | grep -E "^ +q[0-9]+_rx_packets"'
used=$(ip netns exec "$REMOTE_NS" ethtool -S eth1 | awk '$1 ~ /^q[0-9]+_rx_packets:$/ && $2 > 100 { n++ } END { print n + 0 }')
tap_ok "$([ "$used" -ge 2 ]; echo $?)" "7: RSS: 8 flows spread over $used of eth1's 4 queues"

# ---- 8. VXLAN
A 'ip link add vx0 type vxlan id 42 remote 192.0.2.2 local 192.0.2.1 dstport 4789 dev eth0; ip addr add 10.42.0.1/24 dev vx0; ip link set vx0 up'
B 'ip link add vx0 type vxlan id 42 remote 192.0.2.1 local 192.0.2.2 dstport 4789 dev eth1; ip addr add 10.42.0.2/24 dev vx0; ip link set vx0 up; iperf3 -s -D -B 10.42.0.2'
A 'ethtool --show-tunnels eth0 | grep -A2 "Table 0"'
t0=$(stat eth0 tx_tunnel_packets)
A 'sleep 1; iperf3 -c 10.42.0.2 -t 2 >/dev/null; ethtool -S eth0 | grep -E "tx_tunnel_(packets|segments)"'
tap_ok "$(ethtool --show-tunnels eth0 | grep -q 'port 4789, vxlan'; echo $?)" "8: the VXLAN port is in the device's table"
tap_ok "$([ "$(stat eth0 tx_tunnel_packets)" -gt "$t0" ]; echo $?)" \
	"8: the device segmented VXLAN packets (+$(($(stat eth0 tx_tunnel_packets) - t0)))"

# the doc shows exactly these commands
doc=$(sed -nE 's/^    ((A|B)# )/\1/p' "$DOC")
diff <(echo "$doc") "$RAN" | tap_diag
tap_ok "$([ "$doc" = "$(cat "$RAN")" ]; echo $?)" "docs/tutorial.md shows exactly the commands run here"

ip link del vx0 2>/dev/null
teardown_pair eth0
rmmod ofnic
bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
