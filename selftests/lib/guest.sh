# shellcheck shell=bash
# Helpers for scripts that run inside the ofnic guest (tools/vm). Source it from bash.
#
# Wiring follows netdev's driver CI: port A stays in the root namespace, port B moves to the
# namespace "remote"; 192.0.2.1/.2 and 2001:db8::1/::2 without DAD.

# the module tools/build-module built for the running kernel
OFNIC_KO=${OFNIC_KO:-/ofnic/out/module/$(uname -r)/drivers/net/ethernet/ofnic/ofnic.ko}
# datasheet NAME: the value of OFNIC_NAME in include/ofnic_hw.h (a plain number)
datasheet() { awk -v n="OFNIC_$1" '$1 == "#define" && $2 == n { print $3; exit }' /ofnic/include/ofnic_hw.h; }
REMOTE_NS=${REMOTE_NS:-remote}
LOCAL_V4=192.0.2.1
REMOTE_V4=192.0.2.2
LOCAL_V6=2001:db8::1
REMOTE_V6=2001:db8::2
export LOCAL_V4 REMOTE_V4 LOCAL_V6 REMOTE_V6

# ---- TAP ---------------------------------------------------------------------------------
TAP_N=0
TAP_FAILED=0
tap_plan() { echo "TAP version 13"; echo "1..$1"; }
tap_ok() {	# tap_ok STATUS DESCRIPTION: STATUS 0 is a pass
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
tap_diag() { sed 's/^/# /'; }
tap_run() {	# tap_run DESCRIPTION CMD...: runs CMD, shows its output as diagnostics on failure
	local d=$1 o rc
	shift
	o=$("$@" 2>&1) && rc=0 || rc=$?
	[ "$rc" = 0 ] || printf '%s\n' "$o" | tail -n 20 | tap_diag
	tap_ok "$rc" "$d"
}
# tap_check DESCRIPTION CMD...: as tap_run, but what CMD prints is always kept as diagnostics
# (the measurements: throughput, counters, per-queue spread)
tap_check() {
	local d=$1 o rc
	shift
	o=$("$@" 2>&1) && rc=0 || rc=$?
	[ -z "$o" ] || printf '%s\n' "$o" | tail -n 40 | tap_diag
	tap_ok "$rc" "$d"
}
tap_done() { [ "$TAP_FAILED" = 0 ]; }

# ---- NIC drivers and interfaces --------------------------------------------------------------
# kernel driver name of a tools/vm --nic model
nic_driver() {
	case "$1" in
	ofnic) echo ofnic ;;
	e1000e) echo e1000e ;;
	igb) echo igb ;;
	virtio-net) echo virtio_net ;;
	*) echo "$1" ;;
	esac
}

load_driver() {	# load_driver MODEL
	case "$1" in
	ofnic) lsmod | grep -q '^ofnic ' || insmod "$OFNIC_KO" ;;
	virtio-net) modprobe virtio_net ;;
	*) modprobe "$(nic_driver "$1")" ;;
	esac
}

# Interfaces bound to a driver, in PCI address order, in the root namespace (plus, by name, any
# already moved to the remote namespace).
nic_ifaces() {	# nic_ifaces DRIVER: that driver's interfaces, in PCI address order
	local drv=$1 d b
	for d in /sys/class/net/*; do
		[ -e "$d/device/driver" ] || continue
		b=$(basename "$(readlink -f "$d/device/driver")")
		[ "$b" = "$drv" ] || continue
		# The resolved device path holds the PCI address (virtio: .../0000:00:03.0/virtio0).
		echo "$(readlink -f "$d/device") ${d##*/}"
	done | sort | awk '{ print $2 }'
}

wait_ifaces() {	# wait_ifaces DRIVER COUNT: waits up to 10 s for COUNT interfaces
	local i
	for i in $(seq 100); do
		[ "$(nic_ifaces "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

wait_carrier() {	# wait_carrier IFACE [NETNS]
	local i c
	for i in $(seq 100); do
		if [ -n "${2:-}" ]; then
			c=$(ip netns exec "$2" cat "/sys/class/net/$1/carrier" 2>/dev/null)
		else
			c=$(cat "/sys/class/net/$1/carrier" 2>/dev/null)
		fi
		[ "$c" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# setup_pair A B: A local, B in $REMOTE_NS, addresses up, carrier and reachability checked.
setup_pair() {
	local a=$1 b=$2
	ip netns add "$REMOTE_NS" 2>/dev/null || true
	ip netns exec "$REMOTE_NS" ip link set lo up
	ip link set "$b" netns "$REMOTE_NS" || return 1
	sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1 net.ipv6.conf.default.keep_addr_on_down=1
	ip netns exec "$REMOTE_NS" sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1 \
		net.ipv6.conf.default.keep_addr_on_down=1
	ip addr add "$LOCAL_V4/24" dev "$a"
	ip addr add "$LOCAL_V6/64" dev "$a" nodad
	ip link set "$a" up
	ip netns exec "$REMOTE_NS" ip addr add "$REMOTE_V4/24" dev "$b"
	ip netns exec "$REMOTE_NS" ip addr add "$REMOTE_V6/64" dev "$b" nodad
	ip netns exec "$REMOTE_NS" ip link set "$b" up
	wait_carrier "$a" && wait_carrier "$b" "$REMOTE_NS" || { echo "no carrier on $a/$b"; return 1; }
	wait_reachable "$REMOTE_V4" "$a"
}

# wait_reachable ADDR VIA: pings ADDR for up to ~10 s until it answers (VIA names the path)
wait_reachable() {
	local i
	for i in $(seq 50); do
		ping -q -c1 -W1 "$1" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "$1 unreachable over $2"
	return 1
}

# teardown_pair: delete the namespace (its interfaces return to the root namespace), flush A.
teardown_pair() {
	local a=$1
	ip netns pids "$REMOTE_NS" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$REMOTE_NS" 2>/dev/null || true
	ip addr flush dev "$a" 2>/dev/null || true
	# Returning interfaces are renamed back only if their name is free; give them a moment.
	sleep 0.3
}

# iperf3 between the ports; prints Mbit/s. iperf_mbps [client-args...]: server in remote ns.
iperf_mbps() {
	local secs=${IPERF_SECS:-5} json
	ip netns exec "$REMOTE_NS" iperf3 -s -1 -D -B "$REMOTE_V4" --pidfile /tmp/iperf3-remote.pid >/dev/null 2>&1
	sleep 0.3
	json=$(iperf3 -c "$REMOTE_V4" -t "$secs" -J "$@" 2>&1) || { echo "iperf3 failed: $(echo "$json" | jq -r .error 2>/dev/null)" >&2; echo 0; return 1; }
	echo "$json" | jq -r '(.end.sum_received.bits_per_second // .end.sum.bits_per_second) / 1e6 | floor'
}

# iperf3 the other way: server local, client in the remote namespace.
iperf_mbps_rev() {
	local secs=${IPERF_SECS:-5} json
	iperf3 -s -1 -D -B "$LOCAL_V4" --pidfile /tmp/iperf3-local.pid >/dev/null 2>&1
	sleep 0.3
	json=$(ip netns exec "$REMOTE_NS" iperf3 -c "$LOCAL_V4" -t "$secs" -J "$@" 2>&1) || { echo 0; return 1; }
	echo "$json" | jq -r '(.end.sum_received.bits_per_second // .end.sum.bits_per_second) / 1e6 | floor'
}

# Kernel messages that mean a driver bug: WARN/BUG/oops, leaks, and a TX queue the watchdog
# found stuck (since 6.8 "NETDEV WATCHDOG: CPU: n: transmit queue n timed out", no WARN) or a
# driver restart (ofnic: "TX queue n timed out", "restarting the queues"); and any TX queue
# whose watchdog counter (queues/tx-N/tx_timeout) is not 0, in either namespace.
dmesg_bad() {
	dmesg | grep -E 'WARNING:|BUG:|Oops|refcount_t|page_pool.*(leak|stalled|inflight)|unregister_netdevice: waiting|Call Trace|general protection|NETDEV WATCHDOG|transmit queue [0-9]+ timed out|TX queue [0-9]+ timed out|restarting the queues'
	tx_timeouts
	ip netns list 2>/dev/null | grep -qw "$REMOTE_NS" && ip netns exec "$REMOTE_NS" bash -c \
		"$(declare -f tx_timeouts); tx_timeouts"
	true
}
tx_timeouts() {	# "IFACE tx-N tx_timeout COUNT" for each TX queue the watchdog fired on
	local f n
	for f in /sys/class/net/*/queues/tx-*/tx_timeout; do
		[ -r "$f" ] || continue
		n=$(cat "$f" 2>/dev/null) || continue
		[ "${n:-0}" = 0 ] || echo "$(cut -d/ -f5 <<< "$f") $(cut -d/ -f7 <<< "$f") tx_timeout $n"
	done
}
