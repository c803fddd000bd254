#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The stress part of `make check-long`: rounds of the stress suites with
# random thread counts, pinned and unpinned, with and without
# CONCOLL_CPU_DISABLE=cx16,lse (the portable 16-byte CAS paths).
#
#   check_long.sh PROGRAM...
#
# LONG_ROUNDS (default 8) rounds; round r is pinned when r is even and
# disables CX16/LSE when r mod 4 is 2 or 3, so every 4 rounds cover the
# four combinations.  Each round draws its own seed for
# CONCOLL_TEST_RANDOM_THREADS (LONG_SEED fixes the first, the rest follow
# it); LONG_SCALE (default 5) is CONCOLL_TEST_SCALE.  Every round prints
# the environment it ran with, so a failure can be rerun alone.
set -u
[ $# -gt 0 ] || { echo "usage: check_long.sh PROGRAM..." >&2; exit 2; }
rounds=${LONG_ROUNDS:-8}
scale=${LONG_SCALE:-5}
seed=${LONG_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
failed=0
r=0
while [ "$r" -lt "$rounds" ]; do
	pin=$(( (r + 1) % 2 ))
	case $(( r % 4 )) in 2|3) disable=cx16,lse ;; *) disable= ;; esac
	s=$(( (seed + r * 7919) % 4294967296 ))
	env_line="CONCOLL_TEST_RANDOM_THREADS=$s CONCOLL_TEST_PIN=$pin CONCOLL_CPU_DISABLE=$disable CONCOLL_TEST_SCALE=$scale"
	echo "check-long: round $((r + 1))/$rounds: $env_line"
	for p in "$@"; do
		start=$(date +%s)
		if env CONCOLL_TEST_RANDOM_THREADS=$s CONCOLL_TEST_PIN=$pin \
			CONCOLL_CPU_DISABLE=$disable CONCOLL_TEST_SCALE=$scale \
			"$p" >"$p.long.log" 2>&1; then
			echo "  PASS $p ($(( $(date +%s) - start )) s)"
		else
			echo "  FAIL $p: rerun with: $env_line $p"
			tail -n 20 "$p.long.log" | sed 's/^/    /'
			failed=$((failed + 1))
		fi
	done
	r=$((r + 1))
done
if [ "$failed" -ne 0 ]; then
	echo "check-long: $failed failed run(s)" >&2
	exit 1
fi
echo "check-long: $rounds rounds passed"
