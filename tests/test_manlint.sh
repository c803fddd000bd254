#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Man page checks, run by `make check`:
#
#  1. every page under man/ (.1, .3, .7) passes `mandoc -Tlint -W warning`
#     without a message; one-line `.so` alias pages are not linted, but the
#     page they point to must exist and must not be an alias itself;
#  2. every function declared with CONCOLL_API in include/concoll/*.h has a
#     page man3/<name>.3 (its own or an alias), and appears with .Nm in the
#     NAME section of the page that documents it;
#  3. every man3 page, and every .Nm of a man3 NAME section, names a
#     declared function (no page for a function that no longer exists);
#  4. every page is listed in man/Makefile.inc, and every man3/man7 page
#     listed there exists.
#
# Environment: top_srcdir (default: the directory above this script) and
# MANDOC, the path of mandoc(1) found by configure.  When MANDOC is set but
# empty the test is skipped (exit 77); when it is unset, mandoc is looked up
# in PATH.  Exit status: 0 pass, 1 fail, 77 skip.

if [ -z "${MANDOC+set}" ]; then
	MANDOC=$(command -v mandoc 2>/dev/null || true)
fi
if [ -z "$MANDOC" ]; then
	echo "mandoc not found: man page lint skipped"
	exit 77
fi

if [ -z "$top_srcdir" ]; then
	top_srcdir=$(dirname "$0")/..
fi
mandir=$top_srcdir/man
incdir=$top_srcdir/include/concoll

if [ ! -d "$mandir" ] || [ ! -d "$incdir" ]; then
	echo "FAIL: $mandir or $incdir not found (is top_srcdir right?)"
	exit 1
fi

status=0
fail() {
	echo "FAIL: $*"
	status=1
}

# is_alias FILE: true when FILE is exactly one line, a .so request.
is_alias() {
	awk 'NR == 1 && /^\.so[[:blank:]]/ { so = 1 } END { exit !(so && NR == 1) }' "$1"
}

# alias_target FILE: the page an alias points to, relative to man/.
alias_target() {
	sed -n '1s/^\.so[[:blank:]]*//p' "$1" | sed 's/[[:blank:]]*$//'
}

# name_section FILE: the .Nm names of the NAME section, one a line.
name_section() {
	awk '/^\.Sh / { insec = ($0 ~ /^\.Sh NAME[[:blank:]]*$/); next }
	     insec && /^\.Nm[[:blank:]]/ { print $2 }' "$1"
}

pages=$(cd "$mandir" && find . -type f \( -name '*.1' -o -name '*.3' -o -name '*.7' \) |
	sed 's|^\./||' | LC_ALL=C sort)
if [ -z "$pages" ]; then
	fail "no man pages under $mandir"
	exit 1
fi

# ---- 1. lint ----------------------------------------------------------------

npages=0
naliases=0
for p in $pages; do
	if is_alias "$mandir/$p"; then
		naliases=$((naliases + 1))
		t=$(alias_target "$mandir/$p")
		if [ -z "$t" ] || [ ! -f "$mandir/$t" ]; then
			fail "$p: alias target '$t' does not exist"
		elif is_alias "$mandir/$t"; then
			fail "$p: alias target $t is an alias itself"
		fi
		continue
	fi
	npages=$((npages + 1))
	# From man/, so that mandoc resolves .so requests as man(1) does.
	out=$(cd "$mandir" && "$MANDOC" -Tlint -W warning "$p" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		fail "$p: mandoc -Tlint exit status $rc"
		[ -n "$out" ] && printf '%s\n' "$out"
	fi
done
echo "linted $npages pages, checked $naliases aliases"

# ---- 2. every public function has a page -----------------------------------

decls=$(grep -h '^[[:blank:]]*CONCOLL_API[[:blank:]]' "$incdir"/*.h)
# The function name is the last word before the first '('.
names=$(printf '%s\n' "$decls" | awk '{
	s = $0
	if (!sub(/\(.*/, "", s)) { print "? " $0; next }
	n = split(s, w, /[^A-Za-z0-9_]+/)
	if (w[n] !~ /^concoll_/) { print "? " $0; next }
	print w[n]
}')
printf '%s\n' "$names" | grep '^? ' | while IFS= read -r line; do
	echo "FAIL: cannot read the function name of this declaration; write it on one line:"
	printf '  %s\n' "${line#? }"
done
if printf '%s\n' "$names" | grep -q '^? '; then
	status=1
fi
api=$(printf '%s\n' "$names" | grep '^concoll_' | LC_ALL=C sort -u)
if [ -z "$api" ]; then
	fail "no CONCOLL_API function found in $incdir"
	exit 1
fi

nfuncs=0
for f in $api; do
	nfuncs=$((nfuncs + 1))
	page=man3/$f.3
	if [ ! -f "$mandir/$page" ]; then
		fail "$f: no page $page"
		continue
	fi
	main=$page
	if is_alias "$mandir/$page"; then
		main=$(alias_target "$mandir/$page")
		[ -f "$mandir/$main" ] || continue # reported above
	fi
	if ! name_section "$mandir/$main" | grep -qx "$f"; then
		fail "$f: not named by .Nm in the NAME section of $main"
	fi
done
echo "checked $nfuncs public functions"

# ---- 3. no page for a function that does not exist -------------------------

for p in $pages; do
	case $p in
	man3/*) ;;
	*) continue ;;
	esac
	f=$(basename "$p" .3)
	if ! printf '%s\n' "$api" | grep -qx "$f"; then
		fail "$p: no function $f is declared with CONCOLL_API"
	fi
	is_alias "$mandir/$p" && continue
	for n in $(name_section "$mandir/$p"); do
		if ! printf '%s\n' "$api" | grep -qx "$n"; then
			fail "$p: NAME lists $n, which is not declared with CONCOLL_API"
		fi
	done
done

# ---- 4. man/Makefile.inc lists every page ----------------------------------

inc=$mandir/Makefile.inc
if [ ! -f "$inc" ]; then
	fail "$inc not found"
else
	listed=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^man\/man[0-9]\//) print substr($i, 5) }' "$inc" |
		LC_ALL=C sort -u)
	for p in $pages; do
		if ! printf '%s\n' "$listed" | grep -qxF "$p"; then
			fail "$p is not listed in man/Makefile.inc"
		fi
	done
	for p in $listed; do
		[ -f "$mandir/$p" ] && continue
		case $p in
		man1/*) echo "note: $p is listed in man/Makefile.inc but does not exist yet" ;;
		*) fail "$p is listed in man/Makefile.inc but does not exist" ;;
		esac
	done
fi

exit $status
