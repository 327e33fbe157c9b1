#!/bin/bash
# ofnic-vm-test: dkms (tools/test runs it in a guest of its own: tools/vm --dkms)
# Installing the driver the way a user does, in a guest that has a compiler, dkms and its
# kernel's headers (tools/build-rootfs --dkms): from a copy of the sources, `make dkms-install`
# builds and installs it for the running kernel, `modprobe ofnic` loads that build and the
# ports carry traffic; DKMS refuses a kernel the driver is not written for; `make dkms-remove`
# takes it away again; `make install` installs it without DKMS.
# Run: tools/vm --dkms [--kernel 6.12|7.3] selftests/guest/dkms.sh
. /ofnic/selftests/lib/guest.sh
KVER=$(uname -r)
SRC=/tmp/ofnic-src

tap_plan 14
dmesg -C
# The repo share is read-only and holds the host's build products: copy the sources alone.
rm -rf "$SRC"
mkdir -p "$SRC/drivers/net/ethernet/ofnic"
cp /ofnic/Makefile /ofnic/Kbuild /ofnic/dkms.conf "$SRC/"
cp -r /ofnic/include "$SRC/"
cp /ofnic/drivers/net/ethernet/ofnic/Makefile /ofnic/drivers/net/ethernet/ofnic/*.[ch] \
	"$SRC/drivers/net/ethernet/ofnic/"

tap_run "headers of the running kernel ($KVER) installed" test -f "/lib/modules/$KVER/build/Makefile"
t0=$(date +%s)
tap_run "make dkms-install" make -C "$SRC" dkms-install
echo "# dkms add, build and install took $(($(date +%s) - t0)) s"
st=$(dkms status ofnic 2>&1)
echo "$st" | tap_diag
tap_ok "$(grep -q "^ofnic/1.0, $KVER, x86_64: installed" <<<"$st"; echo $?)" "dkms status: installed for $KVER"
f=$(modinfo -n ofnic 2>/dev/null)
tap_ok "$([[ $f == /lib/modules/$KVER/updates/dkms/ofnic.ko* ]]; echo $?)" "modinfo finds the DKMS build ($f)"

tap_run "modprobe ofnic" modprobe ofnic
wait_ifaces ofnic 2
mapfile -t IFS_ < <(nic_ifaces ofnic)
A=${IFS_[0]:-}
B=${IFS_[1]:-}
tap_run "two ports, wired, ping" setup_pair "$A" "$B"
m=$(IPERF_SECS=3 iperf_mbps)
tap_ok "$([ "${m:-0}" -gt 0 ]; echo $?)" "iperf3 over the DKMS-built driver ($m Mbit/s)"
teardown_pair "$A"
tap_run "rmmod" rmmod ofnic

# A kernel the driver has no compatibility code for: DKMS must say so, not fail to compile.
mkdir -p /lib/modules/6.1.0-99-amd64/build
out=$(dkms build -m ofnic -v 1.0 -k 6.1.0-99-amd64 2>&1)
rc=$?
rm -rf /lib/modules/6.1.0-99-amd64
echo "$out" | tail -n 3 | tap_diag
tap_ok "$([ "$rc" != 0 ] && grep -q BUILD_EXCLUSIVE <<<"$out"; echo $?)" \
	"dkms refuses a 6.1 kernel by BUILD_EXCLUSIVE (exit $rc)"

tap_run "make dkms-remove" make -C "$SRC" dkms-remove
tap_ok "$(! modinfo -n ofnic >/dev/null 2>&1 && [ -z "$(dkms status ofnic)" ]; echo $?)" \
	"after dkms-remove: no module, no DKMS entry"

tap_run "make install (no DKMS)" make -C "$SRC" install
f=$(modinfo -n ofnic 2>/dev/null)
tap_ok "$([[ $f == /lib/modules/$KVER/updates/*ofnic.ko* ]] && modprobe ofnic && wait_ifaces ofnic 2; echo $?)" \
	"make install: modprobe loads it from /lib/modules/$KVER/updates ($f)"
rmmod ofnic 2>/dev/null

bad=$(dmesg_bad)
[ -z "$bad" ] || echo "$bad" | head -n 40 | tap_diag
tap_ok "$([ -z "$bad" ]; echo $?)" "dmesg free of WARN/BUG/Oops/leaks"
tap_done
