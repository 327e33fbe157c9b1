#!/bin/bash
# ofnic-vm-test: shutdown (its check is on the host: tools/test reads QEMU's trace of this guest)
# Power-off with both ports up and traffic flowing (TAP). The guest part brings the ports up
# and leaves a ping running from A to B when it exits; the guest then powers off
# (tools/guest-init), which runs every driver's .shutdown, as reboot and kexec do. The host
# part, in tools/test (shutdown_check), reads QEMU's trace of the ofnic_* events: after the
# last ring enable, exactly one device reset per port, and no doorbell, interrupt, TX ring
# walk or received frame after the last of them. Without
# .shutdown the device runs its rings until the machine stops (a kexec'd kernel would find its
# memory written by them).
# Run: tools/test guest (or tools/vm --trace 'ofnic_*' selftests/guest/shutdown.sh, then read
# OUT/trace.log)
. /ofnic/selftests/lib/guest.sh
. /ofnic/selftests/lib/offload.sh

tap_plan 3
ofnic_pair
traffic() {
	ping -q -c5 -i0.1 -W2 "$REMOTE_V4" >/dev/null || return 1
	# still running when the guest powers off
	setsid ping -q -i0.05 "$REMOTE_V4" >/dev/null 2>&1 < /dev/null &
	sleep 0.5
	pgrep -x ping >/dev/null
}
tap_check "traffic from A to B, left running into the power-off" traffic
tap_done
