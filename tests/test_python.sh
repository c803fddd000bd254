#!/bin/sh
# The Python binding's tests (python/tests, pytest with hypothesis and
# sortedcontainers) under the interpreter PYTHON.
#
#   test_python.sh
#       (make check, make check-python) against the module built in this
#       tree: stages _build-python/concurrent_collections/ with the package
#       files of the source tree and python/.libs/_concoll$PYTHON_EXT_SUFFIX,
#       and finds the uninstalled libconcoll in src/.libs.
#   test_python.sh install DESTDIR LIBDIR
#       (CI, after make install DESTDIR=...) against the package that
#       make install put under DESTDIR, then installs a copy of python/ with
#       pip (--no-build-isolation, into a venv) against the library and
#       headers installed under DESTDIR (pkg-config), and tests that.
#
# Environment: PYTHON (default python3), PYTHON_EXT_SUFFIX (default the
# interpreter's), top_srcdir and top_builddir (default .), PYTEST_ARGS (more
# arguments for pytest, e.g. '-x -k queue'), PACKAGE_VERSION (checked
# against python/pyproject.toml).  When the interpreter does not have
# /usr/lib/python3/dist-packages on its path (anything but Debian's own
# python3), that folder is appended to PYTHONPATH: Debian's python3-pytest,
# python3-hypothesis and python3-sortedcontainers are pure Python and work
# under the other interpreters too.  Without pytest the test fails; it never
# skips.  Nothing is written into the source tree: no bytecode, no pytest
# cache, the hypothesis database under the build tree.
set -eu
fail() { echo "test_python: FAIL: $*" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
command -v "$PYTHON" >/dev/null 2>&1 || fail "no Python interpreter '$PYTHON'"
[ -d "$srcdir/python/tests" ] || fail "no $srcdir/python/tests"
suffix=${PYTHON_EXT_SUFFIX:-$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')}
pyver=$("$PYTHON" -c 'import sys, sysconfig; print("%d.%d%s" % (sys.version_info.major, sys.version_info.minor, "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""))')

# The package's version is the library's.
if [ -n "${PACKAGE_VERSION:-}" ]; then
	v=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$srcdir/python/pyproject.toml")
	[ "$v" = "$PACKAGE_VERSION" ] ||
		fail "python/pyproject.toml says version \"$v\", configure.ac $PACKAGE_VERSION"
fi

export PYTHONDONTWRITEBYTECODE=1

# deps PYTHON: the PYTHONPATH tail that makes pytest & co. importable.
deps() {
	if [ -d /usr/lib/python3/dist-packages ] &&
	   ! "$1" -c 'import sys; sys.exit("/usr/lib/python3/dist-packages" not in sys.path)' 2>/dev/null; then
		echo "/usr/lib/python3/dist-packages"
	fi
}

# run_tests PYTHON PYTHONPATH LD_LIBRARY_PATH WORKDIR EXPECTED_PKG_DIR: the
# suite, from WORKDIR (which holds the hypothesis database), with the package
# that must be imported from EXPECTED_PKG_DIR.
run_tests() {
	py=$1 pp=$2 ldp=$3 work=$4 expect=$5
	pp=$pp${PYTHONPATH:+:$PYTHONPATH}
	tail=$(deps "$py")
	[ -z "$tail" ] || pp=${pp:+$pp:}$tail
	ldp=$ldp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	mkdir -p "$work"
	cd "$work"
	for mod in pytest hypothesis sortedcontainers; do
		PYTHONPATH=$pp "$py" -c "import $mod" 2>/dev/null ||
			fail "$py cannot import $mod (PYTHONPATH=$pp): install python3-pytest python3-hypothesis python3-sortedcontainers (Debian), or pip install pytest hypothesis sortedcontainers for this interpreter"
	done
	# The extension imports, from where it should, and on a free-threaded
	# interpreter it leaves the GIL off (it must declare Py_mod_gil as
	# Py_MOD_GIL_NOT_USED, or importing it turns the GIL back on).
	PYTHONPATH=$pp LD_LIBRARY_PATH=$ldp "$py" -c '
import os, sys, sysconfig
import concurrent_collections, concurrent_collections._concoll as m
where = os.path.dirname(os.path.realpath(m.__file__))
if where != os.path.realpath(sys.argv[1]):
    sys.exit("test_python: FAIL: imported %s, not the one in %s" % (m.__file__, sys.argv[1]))
if sysconfig.get_config_var("Py_GIL_DISABLED") and sys._is_gil_enabled():
    sys.exit("test_python: FAIL: importing %s enabled the GIL of this free-threaded interpreter (Py_mod_gil)" % m.__file__)
print("test_python: %s (CPython %s%s) imports %s" % (sys.executable, sys.version.split()[0],
      ", free-threaded" if sysconfig.get_config_var("Py_GIL_DISABLED") else "", m.__file__))
' "$expect" || fail "the extension does not import under $py (PYTHONPATH=$pp, LD_LIBRARY_PATH=$ldp)"
	# PYTEST_ARGS is split as the shell would: PYTEST_ARGS="-k 'map and not frozen'"
	eval "set -- ${PYTEST_ARGS:-}"
	set +e
	# --import-mode=append: the test folder goes to the end of sys.path,
	# so nothing in the source tree can shadow the package under test.
	PYTHONPATH=$pp LD_LIBRARY_PATH=$ldp HYPOTHESIS_STORAGE_DIRECTORY=$work/.hypothesis \
		"$py" -m pytest -q -p no:cacheprovider --import-mode=append "$@" "$srcdir/python/tests"
	rc=$?
	set -e
	case $rc in
	0) ;;
	5) fail "pytest collected no tests from $srcdir/python/tests" ;;
	*) fail "pytest exited with $rc under $py (CPython $pyver)" ;;
	esac
}

case ${1:-build} in
build)
	so=$builddir/python/.libs/_concoll$suffix
	[ -f "$so" ] || fail "no $so: build it first (make python/_concoll.la), with --enable-python"
	stage=$builddir/_build-python
	pkg=$stage/concurrent_collections
	rm -rf "$pkg"
	mkdir -p "$pkg"
	for f in "$srcdir"/python/concurrent_collections/*.py "$srcdir"/python/concurrent_collections/*.pyi \
	         "$srcdir"/python/concurrent_collections/py.typed; do
		[ ! -f "$f" ] || cp "$f" "$pkg/"
	done
	cp "$so" "$pkg/"
	run_tests "$PYTHON" "$stage" "$builddir/src/.libs" "$stage" "$pkg"
	;;
install)
	[ $# -eq 3 ] || fail "usage: test_python.sh install DESTDIR LIBDIR"
	destdir=$(cd "$2" && pwd) libdir=$3
	root=$destdir$libdir
	[ -f "$root/pkgconfig/concoll.pc" ] || fail "no $root/pkgconfig/concoll.pc"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT

	# 1. What make install put there.
	init=$(find "$destdir" -path '*/concurrent_collections/__init__.py' | head -n 1)
	[ -n "$init" ] || fail "make install put no concurrent_collections/__init__.py under $destdir"
	pkg=$(dirname "$init")
	echo "test_python: the package installed by make install: $pkg"
	[ -f "$pkg/_concoll$suffix" ] || fail "no _concoll$suffix in $pkg"
	[ ! -e "$pkg/_concoll.la" ] || fail "$pkg/_concoll.la was installed"
	for f in __init__.pyi _concoll.pyi py.typed; do
		[ -f "$pkg/$f" ] || fail "no $f in $pkg"
	done
	run_tests "$PYTHON" "$(dirname "$pkg")" "$root" "$tmp/make-install" "$pkg"

	# 2. pip install --no-build-isolation of a copy of python/ (the build
	# leaves build/ and *.egg-info in it) into a venv that sees the system's
	# packages (pytest, setuptools, wheel, pip; Debian's pip refuses to
	# install into the system), against the library under DESTDIR.
	cp -R "$srcdir/python" "$tmp/src"
	chmod -R u+w "$tmp/src"
	"$PYTHON" -m venv --without-pip --system-site-packages "$tmp/venv" || fail "cannot create a venv (python3-venv)"
	vpy=$tmp/venv/bin/python
	tail=$(deps "$vpy")
	echo "test_python: pip install --no-build-isolation $srcdir/python (copied) into a venv"
	(cd "$tmp" && PYTHONPATH=$tail PKG_CONFIG_PATH="$root/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$destdir" \
		"$vpy" -m pip install -q --no-build-isolation --no-index --no-deps "$tmp/src") ||
		fail "pip install --no-build-isolation failed"
	vpkg=$(cd "$tmp" && PYTHONPATH=$tail "$vpy" -c '
import importlib.util, os
print(os.path.dirname(importlib.util.find_spec("concurrent_collections").origin))')
	case $vpkg in
	"$tmp/venv"/*) ;;
	*) fail "pip installed concurrent_collections into $vpkg, not into the venv" ;;
	esac
	for f in "_concoll$suffix" __init__.pyi _concoll.pyi py.typed; do
		[ -f "$vpkg/$f" ] || fail "pip installed no $f into $vpkg"
	done
	run_tests "$vpy" "" "$root" "$tmp/pip-install" "$vpkg"
	;;
*)
	fail "usage: test_python.sh [install DESTDIR LIBDIR]"
	;;
esac
echo "test_python: PASS (CPython $pyver)"
