#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build the libFuzzer harnesses (clang): the library's sources and one
# harness each, with ASan and UBSan.  Usage: build.sh SRCDIR BUILDDIR OUTDIR
set -eu
srcdir=$(cd "$1" && pwd)
builddir=$(cd "$2" && pwd)
mkdir -p "$3"
out=$(cd "$3" && pwd)
CC_FUZZ=${CC_FUZZ:-clang}
if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
	echo "make fuzz: $CC_FUZZ not found (Debian: apt-get install clang)" >&2
	exit 1
fi
srcs=$(cd "$srcdir" && find src -name '*.c' | sort)
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -pthread"
incs="-I$srcdir/include -I$builddir/include -I$srcdir/src -I$builddir"
for h in fuzz_queue fuzz_stack fuzz_map; do
	echo "  FUZZ     $out/$h"
	# shellcheck disable=SC2086
	(cd "$srcdir" && $CC_FUZZ $flags $incs $srcs "tests/fuzz/$h.c" -o "$out/$h" -lm)
done
