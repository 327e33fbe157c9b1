# shellcheck shell=bash
# Common helpers for ofnic's tools. Source this file; it sets no shell options itself.
#
# Everything heavy (QEMU source and build, guest kernel, rootfs, selftests) lives under
# $OFNIC_CACHE, outside the clone, in directories keyed by their inputs.

OFNIC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OFNIC_CACHE=${OFNIC_CACHE:-$HOME/.cache/ofnic}
# shellcheck source=versions.env
. "$OFNIC_TOP/tools/versions.env"

# Tools run from our Makefile inherit MAKELEVEL/MAKEFLAGS; the kselftest makefiles then take
# themselves for sub-makes (lib.mk leaves OUTPUT empty below level 0). Each tool is a top level.
unset MAKELEVEL MAKEFLAGS MFLAGS

log()  { printf '\033[1m[ofnic %s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '\033[31m[ofnic] error:\033[0m %s\n' "$*" >&2; exit 1; }

# The Debian mirror this machine already uses, read from its apt sources (never hard-coded).
debian_mirror() {
	local uri
	uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
	[ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}: configure apt first"
	echo "${uri%/}"
}

security_mirror() {
	local uri
	uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /security/) { print $i; exit } }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 ~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
	echo "${uri%/}"
}

# Guest kernel selection: sets KERNEL_SERIES, KERNEL_ABI, KERNEL_PKG_VERSION, KERNEL_SUITE and
# KERNEL_CC (the compiler package its headers name)
# from tools/versions.env for SERIES (default: $OFNIC_KERNEL, else KERNEL_DEFAULT), and exports
# OFNIC_KERNEL so that the tools a tool runs build for the same kernel.
select_kernel() {	# select_kernel [SERIES]
	local s=${1:-${OFNIC_KERNEL:-$KERNEL_DEFAULT}} v
	v=KERNEL_${s//./_}_ABI
	[ -n "${!v:-}" ] || die "unknown kernel '$s' (tools/versions.env has: $KERNEL_SERIES_ALL)"
	KERNEL_SERIES=$s
	KERNEL_ABI=${!v}
	v=KERNEL_${s//./_}_PKG_VERSION
	KERNEL_PKG_VERSION=${!v}
	v=KERNEL_${s//./_}_SUITE
	KERNEL_SUITE=${!v}
	v=KERNEL_${s//./_}_CC
	KERNEL_CC=${!v}
	export OFNIC_KERNEL=$s
}

# apt-get or apt-cache on one suite of this machine's Debian mirror through a private
# configuration in the cache (trixie-backports packages on a bookworm host): the host's apt
# sources are never touched, so nothing of that suite is ever installed on the host.
suite_apt() {	# suite_apt SUITE apt-get|apt-cache ARGS...
	local suite=$1 tool=$2 d=$OFNIC_CACHE/apt-$1
	shift 2
	local o=(-o "Dir::Etc::sourcelist=$d/sources.list" -o Dir::Etc::sourceparts=/nonexistent
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o APT::Sandbox::User=root)
	if [ ! -f "$d/updated" ] || [ -n "$(find "$d/updated" -mmin +720)" ]; then
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
		echo "deb $(debian_mirror) $suite main" > "$d/sources.list"
		apt-get -qq "${o[@]}" update >"$d/update.log" 2>&1 ||
			die "apt-get update of $suite failed: see $d/update.log"
		date -u +%FT%TZ > "$d/updated"
	fi
	"$tool" "${o[@]}" "$@"
}

# Run a command as root (CI and developers are root here; sudo where it is not).
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# A stamp file records that a cached step finished; a half-done step has no stamp and reruns.
stamp_ok()  { [ -f "$1/.ofnic-done" ]; }
stamp_set() { date -u +%FT%TZ > "$1/.ofnic-done"; }

# Seconds since an epoch timestamp, for "took N s" lines.
since() { echo $(($(date +%s) - $1)); }

# Serialise a cached step across concurrent runs (two checkouts sharing one cache, or a test
# run while a demo builds): takes an exclusive lock on $OFNIC_CACHE/.lock-NAME for the rest of
# the calling script. Waits, saying so, if another run holds it.
cache_lock() {	# cache_lock NAME
	mkdir -p "$OFNIC_CACHE"
	exec {_ofnic_lock_fd}> "$OFNIC_CACHE/.lock-$1"
	if ! flock -n "$_ofnic_lock_fd"; then
		log "waiting for another run's $1 step to finish (lock $OFNIC_CACHE/.lock-$1)"
		flock "$_ofnic_lock_fd"
	fi
}

# Every tool works for one guest kernel; the caller's --kernel (see select_kernel) overrides it.
select_kernel
