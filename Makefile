# SPDX-License-Identifier: GPL-2.0
# ofnic top-level Makefile. Kernel objects are described in Kbuild; this file drives the tools.
# Everything heavy is cached in $(OFNIC_CACHE) (default ~/.cache/ofnic), outside the clone.

.PHONY: help setup qemu qemu-fuzz kernel module rootfs unit fuzz fuzz-qemu guest kselftest test demo bench \
	features smoke check install dkms-install dkms-remove clean

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

qemu-fuzz:	## build QEMU's libFuzzer binary (qemu-fuzz-i386, clang ASan+UBSan) with ofnic (cached)
	tools/build-qemu-fuzz

fuzz-qemu:	## QEMU's generic-fuzz on two ofnic ports for FUZZ_SECS (default 3600); findings in out/qemu-fuzz
	tools/fuzz-qemu --secs $(or $(FUZZ_SECS),3600)

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

features:	## feature table: ofnic, e1000e, igb, virtio-net as their drivers show them in one guest
	tools/features

check:		## style: checkpatch --strict, sparse (C=1), W=1; QEMU checkpatch on hw-model/
	tools/check-style

# Installing the driver on the machine these commands run on (a guest, usually): its kernel's
# headers must be installed (/lib/modules/KVER/build). KVER defaults to the running kernel.
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := /usr/src/ofnic-$(DKMS_VERSION)

install:	## build ofnic.ko for KVER (default: running kernel) and install it with depmod
	@test -f $(KDIR)/Makefile || { echo "no kernel headers in $(KDIR): install linux-headers-$(KVER)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)

dkms-install:	## register the driver with DKMS and build+install it for KVER (rebuilt on kernel updates)
	@command -v dkms >/dev/null || { echo "dkms is not installed: apt install dkms"; exit 1; }
	@test -f $(KDIR)/Makefile || { echo "no kernel headers in $(KDIR): install linux-headers-$(KVER)"; exit 1; }
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/drivers/net/ethernet/ofnic $(DKMS_SRC)/include
	cp dkms.conf Kbuild $(DKMS_SRC)/
	cp include/ofnic_hw.h $(DKMS_SRC)/include/
	cp drivers/net/ethernet/ofnic/Makefile drivers/net/ethernet/ofnic/*.[ch] \
		$(DKMS_SRC)/drivers/net/ethernet/ofnic/
	dkms remove -m ofnic -v $(DKMS_VERSION) --all >/dev/null 2>&1 || true
	dkms add -m ofnic -v $(DKMS_VERSION)
	dkms build -m ofnic -v $(DKMS_VERSION) -k $(KVER)
	dkms install -m ofnic -v $(DKMS_VERSION) -k $(KVER)

dkms-remove:	## remove the driver from DKMS (every kernel) and its sources from /usr/src
	dkms remove -m ofnic -v $(DKMS_VERSION) --all
	rm -rf $(DKMS_SRC)

clean:		## remove build outputs in the clone (caches stay)
	tools/build-module --clean >/dev/null 2>&1 || true
	$(MAKE) -C selftests/unit clean 2>/dev/null || true
	$(MAKE) -C selftests/fuzz clean 2>/dev/null || true
	rm -rf out
