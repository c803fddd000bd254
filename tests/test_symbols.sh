#!/bin/sh
# The shared library exports the public API and nothing else, under its
# soname, with every exported function declared in an installed header.
set -u
lib="$top_builddir/src/.libs/libconcoll.so"
status=0
if [ ! -f "$lib" ]; then
	echo "no shared library at $lib (built with --disable-shared?)"
	exit 77
fi
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" != "libconcoll.so.0" ]; then
	echo "soname is '$soname', expected libconcoll.so.0"
	status=1
fi
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { sub(/@.*/, "", $3); print $3 }' | sort -u)
bad=$(echo "$exported" | grep -v '^concoll_' | grep -v '^CONCOLL_' || true)
if [ -n "$bad" ]; then
	echo "symbols exported outside the concoll_ namespace:"
	echo "$bad"
	status=1
fi
declared=$(grep -ho 'CONCOLL_API[^(]*[( *]concoll_[a-z0-9_]*[[:space:]]*(' "$top_srcdir"/include/concoll/*.h |
	sed 's/.*[( *]\(concoll_[a-z0-9_]*\)[[:space:]]*($/\1/' | sort -u)
for f in $(echo "$exported" | grep '^concoll_'); do
	echo "$declared" | grep -qx "$f" || { echo "exported but not declared in a header: $f"; status=1; }
done
for f in $declared; do
	echo "$exported" | grep -qx "$f" || { echo "declared but not exported: $f"; status=1; }
done
[ $status -eq 0 ] && echo "ok: $(echo "$exported" | grep -c '^concoll_') functions exported, soname $soname"
exit $status
