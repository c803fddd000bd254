#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# ccbench: usage errors, --help, --version, --list, short verified runs of
# every structure and workload (maps: with both key distributions), and the
# csv output.  Run by `make check` with top_builddir and top_srcdir in the
# environment; exits 0 on success, 1 on failure.  No timing assertions:
# throughput only has to be positive.

top_builddir=${top_builddir:-.}
CCBENCH="$top_builddir/tools/ccbench/ccbench"
STRUCTURES="scq lscq lcrq fast wcq waitfree treiber treiber-noelim mutex-queue mutex-stack"
# mutex-map is left out below when ccbench was built without <bsd/sys/tree.h>
MAPS="skiplist skiplist-locked mutex-map"
MAP_WORKLOADS="read-mostly balanced update-only range lookup"

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
expect_usage sideways --pin=sideways
expect_usage 0,x --pin=0,x
expect_usage 9999 --pin=9999
expect_usage bogus --numa=bogus
expect_usage node:x --numa=node:x
expect_usage plot.txt --plot=plot.txt
expect_usage stray stray
expect_usage --verify --verify=yes
expect_usage zipf:-1 --dist=zipf:-1
expect_usage zipf:1 --dist=zipf:1
expect_usage zipf:x --dist=zipf:x
expect_usage pareto --dist=pareto
expect_usage 0 --key-range=0
expect_usage 4294967297 --key-range=4294967297
expect_usage 0 --range-len=0
expect_usage lots --prefill=lots
expect_usage range:101 --workload=range:101
expect_usage mix:50:30:30 --workload=mix:50:30:30
expect_usage mix --workload=mix
expect_usage balanced:3 --workload=balanced:3
expect_usage read-mostly --structure=scq --workload=read-mostly
expect_usage pairs --structure=skiplist --workload=pairs
# a node that does not exist (ccbench may also be built without libnuma:
# then every --numa but local is refused; either way exit 2, node named)
run --numa=node:4095 --structure=scq --threads=1 --duration=0.01
if [ "$rc" -ne 2 ] || ! grep -e "node:4095" "$tmp/err" >/dev/null || [ -s "$tmp/out" ]; then
	fail "--numa=node:4095: exit $rc, expected 2 and a message naming node:4095"
	show
fi
# a CPU this process may not use
run --pin=1023 --structure=scq --threads=1 --duration=0.01
if [ "$rc" -ne 2 ] || ! grep -e "CPU 1023" "$tmp/err" >/dev/null; then
	fail "--pin=1023: exit $rc, expected 2 and a message naming CPU 1023"
	show
fi
run --duration=1 --ops=10
[ "$rc" -eq 2 ] || fail "--duration with --ops: exit $rc, expected 2"
run --structure=scq --capacity=4 --prefill=5 --threads=1 --duration=0.01
[ "$rc" -eq 2 ] || { fail "--prefill above --capacity: exit $rc, expected 2"; show; }
run --structure=skiplist --key-range=10 --prefill=11 --threads=1 --duration=0.01
[ "$rc" -eq 2 ] || { fail "--prefill above --key-range: exit $rc, expected 2"; show; }

echo "# --help, --version"
run --help
if [ "$rc" -ne 0 ]; then
	fail "--help: exit $rc"
else
	for opt in structure threads duration ops workload repeat warmup format verify \
		   capacity prefill key-range dist range-len pin numa topology plot stats seed \
		   list help version; do
		grep -e "--$opt" "$tmp/out" >/dev/null || fail "--help does not document --$opt"
	done
	for wl in pairs pairs-delay prod-cons random $MAP_WORKLOADS mix; do
		grep -e "^  $wl " "$tmp/out" >/dev/null || fail "--help does not list workload $wl"
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
			       ($3 == "wait-free" || $3 == "lock-free" || $3 == "blocking") { found = 1 }
			       END { exit !found }' "$tmp/out" ||
			fail "--list does not describe $s"
	done
	for s in $MAPS; do
		awk -v s="$s" '$1 == s && $2 == "map" &&
			       ($3 == "lock-free" || $3 == "blocking") { found = 1 }
			       END { exit !found }' "$tmp/out" ||
			fail "--list does not describe $s"
	done
	if awk '$1 == "mutex-map" && $4 == "unavailable" { found = 1 } END { exit !found }' \
	       "$tmp/out"; then
		echo "# mutex-map unavailable (built without <bsd/sys/tree.h>): not run"
		MAPS="skiplist skiplist-locked"
	fi
	# every row is either available or says why not
	awk 'NR > 1 && $4 == "unavailable" && NF < 6 { print; bad = 1 } END { exit bad }' \
	    "$tmp/out" || fail "--list: an unavailable structure without a reason"
	# the peers this build has (compiled in when configure found them)
	PEER_POOLS=$(awk 'NR > 1 && ($2 == "queue" || $2 == "stack") && $4 != "unavailable" {
			  print $1 }' "$tmp/out" | grep -v -x -F -e "$(echo $STRUCTURES | tr ' ' '\n')" |
		     tr '\n' ' ')
	PEER_MAPS=$(awk 'NR > 1 && $2 == "map" && $4 != "unavailable" { print $1 }' "$tmp/out" |
		    grep -v -x -F -e "$(echo $MAPS | tr ' ' '\n')" | tr '\n' ' ')
	echo "# other peers in this build: ${PEER_POOLS}${PEER_MAPS}"
	STRUCTURES="$STRUCTURES $PEER_POOLS"
	MAPS="$MAPS $PEER_MAPS"
fi

echo "# verified runs of every structure and workload"
run --structure=all --threads=1,3 --duration=0.05 --workload=pairs,pairs-delay,prod-cons,random \
    --verify
if [ "$rc" -ne 0 ]; then
	fail "verified sweep: exit $rc"
	show
else
	n=$(grep -c '^verify: ok' "$tmp/err")
	# every queue and stack x 4 workloads x 2 thread counts
	want=$(($(echo $STRUCTURES | wc -w) * 4 * 2))
	[ "$n" -eq "$want" ] || { fail "verified sweep: $n 'verify: ok' lines, expected $want"; show; }
	for s in $STRUCTURES; do
		grep "^$s " "$tmp/out" >/dev/null || fail "verified sweep: no row for $s"
	done
fi
# fixed operation counts, warmup, prefill, repeats, a fixed split, unpinned
run --structure=all --threads=2 --ops=20000 --workload=prod-cons:1:1,random --verify \
    --prefill=16 --warmup=0.01 --repeat=2 --pin=none --seed=7
[ "$rc" -eq 0 ] || { fail "--ops sweep: exit $rc"; show; }
# a tiny bounded queue: full pushes are retried
run --structure=scq,wcq --capacity=2 --threads=3 --duration=0.05 --workload=prod-cons,pairs --verify
[ "$rc" -eq 0 ] || { fail "scq,wcq --capacity=2: exit $rc"; show; }

echo "# verified map runs: every map and workload, both key distributions"
map_list=$(echo $MAPS | tr ' ' ,)
map_wls=$(echo $MAP_WORKLOADS | tr ' ' ,)
nmaps=$(echo $MAPS | wc -w)
nwls=$(echo $MAP_WORKLOADS | wc -w)
for dist in uniform zipf:0.9; do
	run --structure="$map_list" --workload="$map_wls" --threads=1,2 --duration=0.02 \
	    --key-range=2000 --range-len=20 --dist="$dist" --verify
	if [ "$rc" -ne 0 ]; then
		fail "maps, --dist=$dist: exit $rc"
		show
		continue
	fi
	n=$(grep -c '^verify: ok' "$tmp/err")
	want=$((nmaps * nwls * 2))
	[ "$n" -eq "$want" ] ||
		{ fail "maps, --dist=$dist: $n 'verify: ok' lines, expected $want"; show; }
	for s in $MAPS; do
		for wl in $MAP_WORKLOADS; do
			grep "^$s  *$wl  *[12] .* ok  *[0-9][0-9]*$" "$tmp/out" >/dev/null ||
				{ fail "maps, --dist=$dist: no verified row for $s $wl"; show; }
		done
	done
	grep "^# maps: keys 1 to 2000, $dist" "$tmp/out" >/dev/null ||
		{ fail "maps, --dist=$dist: no key range line"; show; }
	grep "^# read-mostly: get 90%, put 5%, remove 5%, scan 0%" "$tmp/out" >/dev/null ||
		{ fail "maps, --dist=$dist: no mix line"; show; }
done
# operation counts, custom mixes, a given prefill, warmup, repeats, unpinned
run --structure=maps --threads=2 --ops=4000 --workload=mix:80:10:10,range:50 --verify \
    --key-range=500 --prefill=100 --warmup=0.01 --repeat=2 --pin=none --seed=7 --dist=zipf
[ "$rc" -eq 0 ] || { fail "maps --ops sweep: exit $rc"; show; }
for s in $MAPS; do
	grep "^$s " "$tmp/out" >/dev/null || { fail "maps --ops sweep: no row for $s"; show; }
done
# one key, and every key prefilled
run --structure="$map_list" --threads=2 --duration=0.02 --workload=balanced --key-range=1 \
    --verify
[ "$rc" -eq 0 ] || { fail "maps --key-range=1: exit $rc"; show; }
run --structure="$map_list" --threads=2 --duration=0.02 --workload=update-only \
    --key-range=300 --prefill=300 --verify
[ "$rc" -eq 0 ] || { fail "maps --prefill=--key-range: exit $rc"; show; }
# queues and maps in one sweep: each runs its own default workload
run --structure=scq,skiplist --threads=1 --duration=0.02 --key-range=100 --verify
if [ "$rc" -ne 0 ]; then
	fail "default workloads: exit $rc"
	show
else
	grep '^scq  *pairs ' "$tmp/out" >/dev/null ||
		{ fail "default workloads: no scq pairs row"; show; }
	grep '^skiplist  *read-mostly ' "$tmp/out" >/dev/null ||
		{ fail "default workloads: no skiplist read-mostly row"; show; }
fi

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
		       "smr_retired,smr_freed,smr_pending,ns_per_op,algorithm,get_pct," \
		       "put_pct,remove_pct,scan_pct,key_range,dist,prefill,thread_ops_min," \
		       "thread_ops_max,lat_p50_ns,lat_p99_ns,lat_p999_ns,lat_samples,peak_rss_kb," \
		       "progress,peer"
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
		if ($15 !~ /^[0-9]+\.[0-9]$/ || $15 + 0 <= 0) {
			print "csv: bad ns_per_op: " $0; bad = 1
		}
		if ($16 == "") { print "csv: no algorithm: " $0; bad = 1 }
		# fairness: 0 < slowest thread <= fastest; latency percentiles ordered
		if (!($24 + 0 > 0 && $24 + 0 <= $25 + 0)) { print "csv: bad thread ops: " $0; bad = 1 }
		if (!($26 + 0 > 0 && $26 + 0 <= $27 + 0 && $27 + 0 <= $28 + 0 && $29 + 0 > 0)) {
			print "csv: bad latency percentiles: " $0; bad = 1
		}
		if ($31 != "lock-free" && $31 != "wait-free" && $31 != "blocking") {
			print "csv: bad progress: " $0; bad = 1
		}
		if (($1 == "mutex-queue") != ($32 == "yes")) { print "csv: bad peer flag: " $0; bad = 1 }
		if ($17 $18 $19 $20 $21 $22 != "") {
			print "csv: map fields in a pool row: " $0; bad = 1
		}
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
run --structure="$map_list" --workload=balanced,range:20 --threads=1 --duration=0.02 \
    --key-range=1000 --dist=zipf:0.5 --verify --format=csv
if [ "$rc" -ne 0 ]; then
	fail "map csv run: exit $rc"
	show
else
	awk -F, -v nmaps="$nmaps" '
	NR == 1 { nf = NF; next }
	{
		if (NF != nf) { print "csv: " NF " fields in: " $0; bad = 1 }
		if ($2 != "map") { print "csv: bad family: " $0; bad = 1 }
		if ($11 != "yes") { print "csv: not verified: " $0; bad = 1 }
		if ($3 == "balanced" && $17 "/" $18 "/" $19 "/" $20 != "50/25/25/0") {
			print "csv: bad balanced mix: " $0; bad = 1
		}
		if ($3 == "range:20" && $17 "/" $18 "/" $19 "/" $20 != "0/10/10/80") {
			print "csv: bad range:20 mix: " $0; bad = 1
		}
		if ($21 != 1000 || $22 != "zipf:0.5") { print "csv: bad keys: " $0; bad = 1 }
		if ($23 !~ /^[0-9]+$/ || $23 < 300 || $23 > 700) {
			print "csv: prefill not near half the keys: " $0; bad = 1
		}
		records++
	}
	END {
		if (records != 2 * nmaps) {
			print "csv: " records " map records, expected " 2 * nmaps; bad = 1
		}
		exit bad
	}' "$tmp/out" >"$tmp/awk" 2>&1 || { fail "map csv output"; cat "$tmp/awk" >&2; show; }
fi

echo "# --topology"
run --topology
if [ "$rc" -ne 0 ] || ! grep -e "^cpus: " "$tmp/out" >/dev/null || ! grep -e "^numa: " "$tmp/out" >/dev/null; then
	fail "--topology: exit $rc or no cpus/numa lines"
	show
fi

echo "# placement: a CPU list, scatter, numa local and interleave"
run --structure=lcrq,skiplist --threads=1,2 --duration=0.02 --pin=0 --numa=local --verify \
    --key-range=1000
[ "$rc" -eq 0 ] || { fail "--pin=0 --numa=local: exit $rc"; show; }
grep -e "pin=list; numa=local" "$tmp/out" >/dev/null || { fail "--pin=0: header"; show; }
run --structure=lcrq --threads=2 --duration=0.02 --pin=scatter --verify
[ "$rc" -eq 0 ] || { fail "--pin=scatter: exit $rc"; show; }
if "$CCBENCH" --topology | grep -e "^numa: [0-9]" >/dev/null; then
	run --structure=lcrq,skiplist --threads=2 --duration=0.02 --numa=interleave --verify \
	    --key-range=1000
	[ "$rc" -eq 0 ] || { fail "--numa=interleave: exit $rc"; show; }
	run --structure=lcrq --threads=2 --duration=0.02 --numa=node:0 --verify
	[ "$rc" -eq 0 ] || { fail "--numa=node:0: exit $rc"; show; }
else
	echo "# no NUMA support here: --numa=interleave and node:0 not run"
fi

echo "# json output"
run --structure=lcrq,treiber,skiplist --threads=1,2 --duration=0.03 --repeat=2 --verify \
    --format=json --stats --key-range=1000
if [ "$rc" -ne 0 ]; then
	fail "json run: exit $rc"
	show
elif command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/out" >"$tmp/py" 2>&1 <<'PY' || { fail "json output"; cat "$tmp/py" >&2; show; }
import json, sys
doc = json.load(open(sys.argv[1]))
meta, runs = doc["ccbench"], doc["runs"]
assert meta["repeat"] == 2 and meta["structures"] == ["lcrq", "treiber", "skiplist"], meta
assert len(runs) == 6, len(runs)
seen = set()
for r in runs:
    key = (r["structure"], r["threads"])
    assert key not in seen, key
    seen.add(key)
    ops = r["ops_per_sec"]
    assert 0 < ops["min"] <= ops["median"] <= ops["max"], r
    assert r["verified"] == "yes" and r["repeat"] == 2, r
    assert 0 < r["thread_ops_per_sec"]["min"] <= r["thread_ops_per_sec"]["max"], r
    lat = r["latency_ns"]
    assert lat["samples"] > 0 and 0 < lat["p50"] <= lat["p99"] <= lat["p999"], r
    assert r["peak_rss_kb"] > 0 and r["progress"] in ("lock-free", "wait-free", "blocking"), r
    assert "stats" in r and r["stats"]["smr_records"] >= 1, r
    assert ("map" in r) == (r["family"] == "map"), r
assert {s for s, _ in seen} == {"lcrq", "treiber", "skiplist"}
print("json: ok")
PY
else
	# no python3: check the shape with grep
	[ "$(grep -c '"structure": ' "$tmp/out")" -eq 6 ] || { fail "json: not 6 records"; show; }
	tail -n 1 "$tmp/out" | grep -e '^ \]}$' >/dev/null || { fail "json: not closed"; show; }
fi

echo "# --plot"
if command -v gnuplot >/dev/null 2>&1; then
	run --structure=lcrq,mutex-queue --threads=1,2 --duration=0.02 --plot="$tmp/plot.svg"
	if [ "$rc" -ne 0 ] || ! grep -e "<svg" "$tmp/plot.svg" >/dev/null 2>&1; then
		fail "--plot=FILE.svg: exit $rc, or no SVG written"
		show
	else
		for s in lcrq mutex-queue; do
			grep -e ">$s<" "$tmp/plot.svg" >/dev/null || fail "--plot: no line for $s"
		done
	fi
else
	run --structure=lcrq --threads=1 --duration=0.02 --plot="$tmp/plot.svg"
	if [ "$rc" -ne 2 ] || ! grep -e "gnuplot" "$tmp/err" >/dev/null; then
		fail "--plot without gnuplot: exit $rc, expected 2 and a message about gnuplot"
		show
	fi
fi

if [ "$failures" -ne 0 ]; then
	echo "test_ccbench: $failures failure(s)" >&2
	exit 1
fi
echo "test_ccbench: ok"
exit 0
