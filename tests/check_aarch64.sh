#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# make check-aarch64: cross-build libconcoll for aarch64 and run the
# platform, SMR, queue, stack and map tests under qemu-aarch64, once with
# -cpu max (LSE: the 16-byte CAS is CASP, CONCOLL_QUEUE_FAST is LCRQ) and
# once with -cpu cortex-a53 (no LSE: an ldxp/stxp loop, FAST is LSCQ).
# Needs gcc-aarch64-linux-gnu, qemu-user and the aarch64 check library
# (dpkg --add-architecture arm64; apt-get install check:arm64).
# Usage: check_aarch64.sh SRCDIR BUILDDIR
set -e
srcdir=$(cd "$1" && pwd)
build=$2
host=aarch64-linux-gnu
scale=${CONCOLL_TEST_SCALE:-0.05}
tests="test_cpu test_smr test_queue test_stack test_lincheck test_stress test_map test_map_lincheck"

for tool in $host-gcc qemu-aarch64; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "check-aarch64: $tool not found (apt-get install gcc-aarch64-linux-gnu qemu-user)" >&2
		exit 1
	}
done
[ -f /usr/lib/$host/pkgconfig/check.pc ] || {
	echo "check-aarch64: no aarch64 check library (dpkg --add-architecture arm64 &&" \
	     "apt-get update && apt-get install check:arm64)" >&2
	exit 1
}

mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ]; then
	PKG_CONFIG_LIBDIR=/usr/lib/$host/pkgconfig:/usr/share/pkgconfig \
		"$srcdir/configure" -q --host=$host --disable-shared --without-numa --enable-werror \
		--without-ck --without-urcu --without-libcds
fi
make -j"$(nproc)" tools/ccbench/ccbench $(for t in $tests; do printf 'tests/%s ' "$t"; done)

failed=0
for cpu in max cortex-a53; do
	QEMU_CPU=$cpu
	export QEMU_CPU
	line=$(qemu-aarch64 tools/ccbench/ccbench --structure=fast --threads=1 --duration=0.02 |
	       grep -E '^# (ccbench|algorithms)' | tr '\n' ' ')
	echo "check-aarch64: -cpu $cpu: $line"
	case $cpu in
	max) want_cas=casp want_fast=lcrq ;;
	*) want_cas=ldxp/stxp want_fast=lscq ;;
	esac
	case $line in
	*"cas128=$want_cas"*"fast=$want_fast"*) ;;
	*)
		echo "check-aarch64: -cpu $cpu: expected cas128=$want_cas and fast=$want_fast" >&2
		failed=1
		;;
	esac
	for t in $tests; do
		if TU_EXEC_WRAPPER=qemu-aarch64 CONCOLL_TEST_SCALE=$scale CK_VERBOSITY=minimal \
			qemu-aarch64 "tests/$t" >"$t-$cpu.log" 2>&1; then
			echo "PASS: $t (-cpu $cpu)"
		else
			echo "FAIL: $t (-cpu $cpu)"
			cat "$t-$cpu.log"
			failed=1
		fi
	done
done
exit $failed
