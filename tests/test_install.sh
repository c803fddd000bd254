#!/bin/sh
# After `make install`: the library is installed with its soname, the
# headers, concoll.pc, the man pages and ccbench; a small external program
# built with `pkg-config --cflags --libs concoll` pushes and pops.
# Usage: test_install.sh DESTDIR LIBDIR INCLUDEDIR BINDIR MANDIR   (DESTDIR may be empty)
set -eu
destdir=$1 libdir=$2 includedir=$3 bindir=$4 mandir=$5
root="$destdir"
fail() { echo "test_install: $*" >&2; exit 1; }

[ -e "$root$libdir/libconcoll.so.0" ] || fail "missing $libdir/libconcoll.so.0"
[ -e "$root$libdir/libconcoll.so" ] || fail "missing $libdir/libconcoll.so (dev link)"
for h in concoll.h common.h cpu.h smr.h queue.h stack.h version.h; do
	[ -f "$root$includedir/concoll/$h" ] || fail "missing header concoll/$h"
done
[ -f "$root$libdir/pkgconfig/concoll.pc" ] || fail "missing concoll.pc"
[ -x "$root$bindir/ccbench" ] || fail "missing ccbench"
[ -f "$root$mandir/man7/libconcoll.7" ] || fail "missing libconcoll(7)"
[ -f "$root$mandir/man1/ccbench.1" ] || fail "missing ccbench(1)"
[ -f "$root$mandir/man3/concoll_queue_push.3" ] || fail "missing concoll_queue_push(3)"
[ -e "$root$mandir/man3/concoll_queue_pop.3" ] || fail "missing concoll_queue_pop(3)"
[ -f "$root$mandir/man3/concoll_map_create.3" ] || fail "missing concoll_map_create(3)"
[ -e "$root$mandir/man3/concoll_set_add.3" ] || fail "missing concoll_set_add(3)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/hello.c" <<'PROG'
#include <concoll/concoll.h>
#include <stdio.h>
int main(void)
{
	concoll_queue_t *q = concoll_queue_create(NULL);
	void *out = NULL;
	if (!q || concoll_queue_push(q, (void *)42) || concoll_queue_pop(q, &out) || out != (void *)42)
		return 1;
	concoll_queue_destroy(q, NULL, NULL);
	concoll_map_t *m = concoll_map_create(NULL);
	void *k = NULL;
	if (!m || concoll_map_put(m, concoll_key_u64(7), "seven", NULL) ||
	    concoll_map_floor(m, concoll_key_u64(9), &k, &out) || concoll_key_to_u64(k) != 7)
		return 1;
	concoll_map_destroy(m);
	printf("libconcoll %s: pushed and popped 42, found the floor of 9\n", concoll_version());
	return 0;
}
PROG
export PKG_CONFIG_PATH="$root$libdir/pkgconfig"
[ -n "$destdir" ] && export PKG_CONFIG_SYSROOT_DIR="$destdir"
flags=$(pkg-config --cflags --libs concoll) || fail "pkg-config cannot find concoll"
${CC:-cc} -o "$tmp/hello" "$tmp/hello.c" $flags || fail "cannot build against the installed library"
LD_LIBRARY_PATH="$root$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/hello" || fail "the program failed"
LD_LIBRARY_PATH="$root$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$root$bindir/ccbench" --version >/dev/null ||
	fail "installed ccbench does not run"
echo "test_install: ok"
