#!/bin/bash
# Not a test: the guest of `tools/vm --shell`. Loads the driver, wires the first two ofnic
# ports as the tests and docs/tutorial.md do (eth0 192.0.2.1 here, eth1 192.0.2.2 in the netns
# "remote"), starts an iperf3 server on eth1's side and hands the console to a root shell.
# Leaving the shell (exit, Ctrl-D) powers the guest off.
. /ofnic/selftests/lib/guest.sh
load_driver ofnic
wait_ifaces ofnic 2
mapfile -t IFS_ < <(nic_ifaces ofnic)
if [ ${#IFS_[@]} -ge 2 ] && setup_pair "${IFS_[0]}" "${IFS_[1]}"; then
	ip netns exec "$REMOTE_NS" iperf3 -s -D -B "$REMOTE_V4" >/dev/null 2>&1
	cat <<MSG

ofnic guest: ${IFS_[0]} is $LOCAL_V4 here, ${IFS_[1]} is $REMOTE_V4 in namespace $REMOTE_NS
(run its side with: ip netns exec $REMOTE_NS CMD); an iperf3 server listens there.
Try: ethtool -k ${IFS_[0]}, ethtool -S ${IFS_[0]}, iperf3 -c $REMOTE_V4, docs/tutorial.md in /ofnic.
Exit the shell to power off.
MSG
else
	echo "ofnic guest: fewer than two ofnic ports wired; a shell anyway"
fi
cd /ofnic
printf "set enable-bracketed-paste off\n" > /tmp/inputrc
export TERM=vt100 INPUTRC=/tmp/inputrc PS1="ofnic-guest# "
exec setsid -c bash --norc -i </dev/ttyS0 >/dev/ttyS0 2>&1
