# SPDX-License-Identifier: GPL-2.0
# ofnic top-level Makefile. Kernel objects are described in Kbuild; this file drives the tools.
# Everything heavy is cached in $(OFNIC_CACHE) (default ~/.cache/ofnic), outside the clone.

.PHONY: help setup qemu kernel module rootfs unit fuzz guest kselftest test demo bench smoke check clean

help:		## list the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## / { printf "  make %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

setup:		## install host packages from Debian (idempotent)
	tools/setup-host

qemu:		## build QEMU 10 with the ofnic device (cached; incremental)
	tools/build-qemu

kernel:		## fetch the pinned Debian guest kernel and headers
	tools/fetch-kernel

module:		## build ofnic.ko against the guest kernel headers
	tools/build-module

rootfs:		## build the guest root filesystem (cached)
	tools/build-rootfs

unit:		## host unit tests of the device engine
	tools/setup-host
	$(MAKE) -C selftests/unit check

fuzz:		## libFuzzer on the engine (ASan+UBSan), FUZZ_SECS per harness (default 900) on every core
	tools/setup-host
	$(MAKE) -C selftests/fuzz long FUZZ_SECS=$(or $(FUZZ_SECS),900)

smoke:		## in-guest smoke test on two ofnic ports (console streamed)
	tools/vm selftests/guest/smoke.sh

guest:		## all our in-guest feature tests in one guest, with a report
	tools/test guest

kselftest:	## the upstream kselftests on two ofnic ports, with a report
	tools/test kselftest

test:		## the whole test suite with a report (what CI runs)
	tools/test

demo:		## the main job: boot a guest with two ofnic ports and show them working
	tools/demo

bench:		## benchmark: ofnic offload matrix vs e1000e, igb, virtio-net and veth (iperf3, USO, VXLAN), engine vs memcpy; table + chart in out/bench
	tools/bench

check:		## style: checkpatch --strict, sparse (C=1), W=1; QEMU checkpatch on hw-model/
	tools/check-style

clean:		## remove build outputs in the clone (caches stay)
	tools/build-module --clean >/dev/null 2>&1 || true
	$(MAKE) -C selftests/unit clean 2>/dev/null || true
	$(MAKE) -C selftests/fuzz clean 2>/dev/null || true
	rm -rf out
