#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Model-check the TLA+ specifications in tla/ with TLC.
#
#   check_tla.sh SRCDIR models    every tla/MC_<Name>.cfg must pass
#   check_tla.sh SRCDIR mutants   every seeded bug in tla/mutants/<Name>.txt
#                                 must make TLC fail with a counterexample
#
# TLA2TOOLS_JAR names tla2tools.jar (it is in no distribution's archive);
# without it the script says that it skipped and exits 0.  TLC_WORKERS sets
# TLC's worker threads (default: auto).  MODELS restricts the run to some
# spec names (space-separated).
set -u
srcdir=${1:?usage: check_tla.sh SRCDIR models|mutants}
mode=${2:?usage: check_tla.sh SRCDIR models|mutants}
tla="$srcdir/tla"

if [ -z "${TLA2TOOLS_JAR:-}" ]; then
	echo "check-tla: SKIPPED: TLA2TOOLS_JAR is not set; nothing was model-checked."
	echo "check-tla: point it to tla2tools.jar (https://github.com/tlaplus/tlaplus/releases)."
	exit 0
fi
if [ ! -r "$TLA2TOOLS_JAR" ]; then
	echo "check-tla: TLA2TOOLS_JAR=$TLA2TOOLS_JAR is not a readable file" >&2
	exit 1
fi
if ! command -v java >/dev/null 2>&1; then
	echo "check-tla: java not found (Debian: apt-get install default-jre-headless)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_tla.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# run_tlc NAME DIR LOG: TLC on DIR/NAME.tla with DIR/MC_NAME.cfg; TLC's
# exit status.
run_tlc() {
	deadlock=-deadlock
	head -n 1 "$2/MC_$1.cfg" | grep -q 'check-deadlock' && deadlock=
	(cd "$2" && java -XX:+UseParallelGC -Xss16m -Djava.io.tmpdir="$2" -cp "$TLA2TOOLS_JAR" tlc2.TLC \
		-workers "${TLC_WORKERS:-auto}" $deadlock -cleanup -metadir "$2/meta" \
		-config "MC_$1.cfg" "$1.tla") >"$3" 2>&1
}

states_of() {
	sed -n 's/^\([0-9][0-9]*\) states generated, \([0-9][0-9]*\) distinct states found.*/\2 distinct states (\1 generated)/p' "$1" |
		tail -n 1
}

selected() {
	[ -z "${MODELS:-}" ] && return 0
	for m in $MODELS; do
		[ "$m" = "$1" ] && return 0
	done
	return 1
}

failures=0
count=0
for cfg in "$tla"/MC_*.cfg; do
	[ -e "$cfg" ] || continue
	name=$(basename "$cfg" .cfg)
	name=${name#MC_}
	selected "$name" || continue
	if [ "$mode" = models ]; then
		count=$((count + 1))
		work="$tmp/$name"
		mkdir -p "$work"
		cp "$tla"/*.tla "$cfg" "$work/"
		start=$(date +%s)
		run_tlc "$name" "$work" "$work/log"
		rc=$?
		secs=$(($(date +%s) - start))
		if [ "$rc" -eq 0 ] && grep -q 'Model checking completed. No error has been found.' "$work/log"; then
			echo "PASS: $name: $(states_of "$work/log"), ${secs} s"
		else
			echo "FAIL: $name (TLC exit $rc, ${secs} s):"
			sed 's/^/  /' "$work/log" | tail -n 60
			failures=$((failures + 1))
		fi
		continue
	fi
	manifest="$tla/mutants/$name.txt"
	if [ ! -r "$manifest" ]; then
		echo "FAIL: $name: no seeded bugs ($manifest is missing)"
		failures=$((failures + 1))
		continue
	fi
	while IFS='|' read -r mutant orig repl what; do
		case "$mutant" in '' | '#'*) continue ;; esac
		count=$((count + 1))
		work="$tmp/$name-$mutant"
		mkdir -p "$work"
		cp "$tla"/*.tla "$cfg" "$work/"
		# the original text must be on exactly one line; replace it there
		hits=$(ORIG="$orig" awk 'index($0, ENVIRON["ORIG"]) { n++ } END { print n + 0 }' "$tla/$name.tla")
		if [ "$hits" -ne 1 ]; then
			echo "FAIL: $name/$mutant: the original text is on $hits lines of $name.tla, not 1"
			failures=$((failures + 1))
			continue
		fi
		ORIG="$orig" REPL="$repl" awk '{
			i = index($0, ENVIRON["ORIG"])
			if (i) $0 = substr($0, 1, i - 1) ENVIRON["REPL"] substr($0, i + length(ENVIRON["ORIG"]))
			print
		}' "$tla/$name.tla" >"$work/$name.tla"
		start=$(date +%s)
		run_tlc "$name" "$work" "$work/log"
		rc=$?
		secs=$(($(date +%s) - start))
		if grep -q -e 'Parse Error' -e 'Semantic error' -e 'parsing or semantic' \
		       -e 'Parsing or semantic analysis failed' "$work/log"; then
			echo "FAIL: $name/$mutant: the mutated spec does not parse"
			sed 's/^/  /' "$work/log" | tail -n 20
			failures=$((failures + 1))
		elif [ "$rc" -ne 0 ] && violated=$(grep -m 1 -e 'is violated' \
				-e 'Temporal properties were violated' -e 'Deadlock reached' \
				-e 'Assumption .* is false' -e 'The first argument of Assert' "$work/log"); then
			echo "caught: $name/$mutant ($what): $(echo "$violated" | sed 's/^Error: //'), ${secs} s"
		else
			echo "FAIL: $name/$mutant ($what): TLC found no error (exit $rc, ${secs} s)"
			failures=$((failures + 1))
		fi
	done <"$manifest"
done

if [ "$count" -eq 0 ]; then
	echo "check-tla: no model found in $tla" >&2
	exit 1
fi
if [ "$failures" -ne 0 ]; then
	echo "check-tla ($mode): $failures of $count failed"
	exit 1
fi
if [ "$mode" = models ]; then
	echo "check-tla: all $count models pass"
else
	echo "check-tla-mutants: all $count seeded bugs caught"
fi
