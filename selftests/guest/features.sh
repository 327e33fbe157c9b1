#!/bin/bash
# Not a test: collects what each NIC model's Linux driver offers, for tools/features.
# Loads the driver of every model tools/vm was given (OFNIC_NICS) and writes, for the first port
# of each, ethtool's view to /ofnic-out/features.json (selftests/lib/features.py says what).
# Run: tools/features (boots ofnic, e1000e, igb and virtio-net side by side)
. /ofnic/selftests/lib/guest.sh

args=()
for m in ${OFNIC_NICS:-ofnic}; do
	load_driver "$m" || { echo "cannot load the driver of $m"; exit 1; }
	wait_ifaces "$(nic_driver "$m")" 1
	ifc=$(nic_ifaces "$(nic_driver "$m")" | head -n1)
	[ -n "$ifc" ] || { echo "no $m interface"; exit 1; }
	ip link set "$ifc" up
	args+=("$m=$ifc")
done
python3 /ofnic/selftests/lib/features.py /ofnic-out/features.json "${args[@]}"
