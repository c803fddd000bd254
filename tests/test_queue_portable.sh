#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The queue suites again with the portable 16-byte CAS: CONCOLL_CPU_DISABLE
# hides CMPXCHG16B and LSE, so LCRQ runs on the locked path and
# CONCOLL_QUEUE_FAST chooses LSCQ (test_queue checks the choice).
set -e
: "${top_builddir:=.}"
CONCOLL_CPU_DISABLE=cx16,lse
export CONCOLL_CPU_DISABLE
"$top_builddir/tests/test_queue"
"$top_builddir/tests/test_lincheck"
# the stress test at a quarter of the usual operations
CONCOLL_TEST_SCALE=$(awk "BEGIN { print ${CONCOLL_TEST_SCALE:-1} / 4 }")
export CONCOLL_TEST_SCALE
CK_RUN_SUITE=stress CK_RUN_CASE=queue "$top_builddir/tests/test_stress"
echo "test_queue_portable: ok"
