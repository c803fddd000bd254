#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# ccbench: usage errors, --help, --version, --list, short verified runs of
# every structure and workload, and the csv output.  Run by `make check`
# with top_builddir and top_srcdir in the environment; exits 0 on success,
# 1 on failure.  No timing assertions: throughput only has to be positive.

top_builddir=${top_builddir:-.}
CCBENCH="$top_builddir/tools/ccbench/ccbench"
STRUCTURES="scq lscq treiber treiber-noelim mutex-queue mutex-stack"

if [ ! -x "$CCBENCH" ]; then
	echo "test_ccbench: $CCBENCH is not built" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_ccbench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# show the captured output of the last command (on failure)
show() {
	sed 's/^/  stdout: /' "$tmp/out" >&2
	sed 's/^/  stderr: /' "$tmp/err" >&2
}

run() {
	"$CCBENCH" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect_usage BAD ARG...: exit 2, a message on stderr that names 'BAD',
# nothing on stdout.
expect_usage() {
	bad=$1
	shift
	run "$@"
	if [ "$rc" -ne 2 ]; then
		fail "ccbench $*: exit $rc, expected 2"
		show
	elif ! grep -F -e "'$bad'" "$tmp/err" >/dev/null; then
		fail "ccbench $*: the message does not name '$bad'"
		show
	elif [ -s "$tmp/out" ]; then
		fail "ccbench $*: wrote to stdout"
		show
	fi
}

echo "# usage errors"
expect_usage foo --structure=foo
expect_usage foo --structure=scq,foo
expect_usage 0 --threads=0
expect_usage abc --threads=abc
expect_usage 1025 --threads=1025
expect_usage 4-2 --threads=4-2
expect_usage x --threads=1,x
expect_usage -1 --duration=-1
expect_usage 0 --duration=0
expect_usage soon --duration=soon
expect_usage bogus --workload=bogus
expect_usage prod-cons:0:2 --workload=prod-cons:0:2
expect_usage --no-such-option --no-such-option
expect_usage 0 --repeat=0
expect_usage xml --format=xml
expect_usage 0 --capacity=0
expect_usage -5 --ops=-5
expect_usage scatter --pin=scatter
expect_usage stray stray
expect_usage --verify --verify=yes
run --duration=1 --ops=10
[ "$rc" -eq 2 ] || fail "--duration with --ops: exit $rc, expected 2"
run --structure=scq --capacity=4 --prefill=5 --threads=1 --duration=0.01
[ "$rc" -eq 2 ] || { fail "--prefill above --capacity: exit $rc, expected 2"; show; }

echo "# --help, --version"
run --help
if [ "$rc" -ne 0 ]; then
	fail "--help: exit $rc"
else
	for opt in structure threads duration ops workload repeat warmup format verify \
		   capacity prefill pin seed list help version; do
		grep -e "--$opt" "$tmp/out" >/dev/null || fail "--help does not document --$opt"
	done
	grep -e "usage error" "$tmp/out" >/dev/null || fail "--help does not document the exit status"
fi
run --version
[ "$rc" -eq 0 ] || fail "--version: exit $rc"
grep '^ccbench (libconcoll) [0-9]' "$tmp/out" >/dev/null || { fail "--version output"; show; }

echo "# --list"
run --list
if [ "$rc" -ne 0 ]; then
	fail "--list: exit $rc"
	show
else
	for s in $STRUCTURES; do
		awk -v s="$s" '$1 == s && ($2 == "queue" || $2 == "stack") &&
			       ($3 == "lock-free" || $3 == "blocking") { found = 1 }
			       END { exit !found }' "$tmp/out" ||
			fail "--list does not describe $s"
	done
fi

echo "# verified runs of every structure and workload"
run --structure=all --threads=1,3 --duration=0.05 --workload=pairs,prod-cons,random --verify
if [ "$rc" -ne 0 ]; then
	fail "verified sweep: exit $rc"
	show
else
	n=$(grep -c '^verify: ok' "$tmp/err")
	[ "$n" -eq 36 ] || { fail "verified sweep: $n 'verify: ok' lines, expected 36"; show; }
	for s in $STRUCTURES; do
		grep "^$s " "$tmp/out" >/dev/null || fail "verified sweep: no row for $s"
	done
fi
# fixed operation counts, warmup, prefill, repeats, a fixed split, unpinned
run --structure=all --threads=2 --ops=20000 --workload=prod-cons:1:1,random --verify \
    --prefill=16 --warmup=0.01 --repeat=2 --pin=none --seed=7
[ "$rc" -eq 0 ] || { fail "--ops sweep: exit $rc"; show; }
# a tiny bounded queue: full pushes are retried
run --structure=scq --capacity=2 --threads=3 --duration=0.05 --workload=prod-cons,pairs --verify
[ "$rc" -eq 0 ] || { fail "scq --capacity=2: exit $rc"; show; }

echo "# csv output"
run --structure=scq,treiber,mutex-queue --threads=1,2 --duration=0.05 --repeat=2 --verify \
    --format=csv
if [ "$rc" -ne 0 ]; then
	fail "csv run: exit $rc"
	show
else
	awk -F, '
	NR == 1 {
		want = "structure,family,workload,threads,ops_per_sec_median," \
		       "ops_per_sec_min,ops_per_sec_max,cv,repeat,duration,verified," \
		       "smr_retired,smr_freed,smr_pending"
		if ($0 != want) { print "csv: bad header: " $0; bad = 1 }
		nf = NF
		next
	}
	{
		if (NF != nf) { print "csv: " NF " fields in: " $0; bad = 1 }
		if ($2 != "queue" && $2 != "stack") { print "csv: bad family: " $0; bad = 1 }
		for (i = 5; i <= 7; i++)
			if ($i !~ /^[0-9]+(\.[0-9]+)?$/ || $i + 0 <= 0) {
				print "csv: field " i " is not a positive number: " $0; bad = 1
			}
		if ($6 + 0 > $5 + 0 || $5 + 0 > $7 + 0) { print "csv: not min <= median <= max: " $0; bad = 1 }
		if ($9 != 2) { print "csv: repeat is not 2: " $0; bad = 1 }
		if ($11 != "yes") { print "csv: not verified: " $0; bad = 1 }
		key = $1 "/" $4
		if (key in seen) { print "csv: duplicate record for " key; bad = 1 }
		seen[key] = 1
		records++
	}
	END {
		split("scq treiber mutex-queue", st, " ")
		for (i = 1; i <= 3; i++)
			for (t = 1; t <= 2; t++)
				if (!((st[i] "/" t) in seen)) { print "csv: no record for " st[i] "/" t; bad = 1 }
		if (records != 6) { print "csv: " records " records, expected 6"; bad = 1 }
		exit bad
	}' "$tmp/out" >"$tmp/awk" 2>&1 || { fail "csv output"; cat "$tmp/awk" >&2; show; }
fi

if [ "$failures" -ne 0 ]; then
	echo "test_ccbench: $failures failure(s)" >&2
	exit 1
fi
echo "test_ccbench: ok"
exit 0
