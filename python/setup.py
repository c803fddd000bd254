"""Builds concurrent_collections._concoll against an installed libconcoll.

The metadata is in pyproject.toml; this file only describes the extension:

    python3 -m pip install --no-build-isolation ./python

The library is found, in this order:

1. CONCOLL_INCLUDE_DIR and/or CONCOLL_LIB_DIR, when set (the folder holding
   concoll/concoll.h, the folder holding libconcoll.so);
2. pkg-config concoll (the concoll.pc that make install puts in
   LIBDIR/pkgconfig; set PKG_CONFIG_PATH for a prefix outside pkg-config's
   search path, and PKG_CONFIG_SYSROOT_DIR for a DESTDIR staging install).

At run time the dynamic linker must find libconcoll.so.0: it does for
/usr/local/lib after ldconfig; otherwise set LD_LIBRARY_PATH, or
CONCOLL_RPATH=1 at build time to record the library folder in the module.

The configure/make build (./configure --enable-python) builds the same
sources against the library of its own tree; see the top-level README.
"""

import glob
import os
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup


def fail(msg):
    sys.exit("concurrent-collections: " + msg)


def pkg_config(*args):
    exe = os.environ.get("PKG_CONFIG") or shutil.which("pkg-config")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, *args, "concoll"], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out.stdout)


def find_libconcoll():
    """include_dirs, library_dirs, libraries, how they were found."""
    inc = os.environ.get("CONCOLL_INCLUDE_DIR")
    lib = os.environ.get("CONCOLL_LIB_DIR")
    if inc or lib:
        return ([inc] if inc else [], [lib] if lib else [], ["concoll"],
                "CONCOLL_INCLUDE_DIR=%s CONCOLL_LIB_DIR=%s" % (inc or "", lib or ""))
    cflags = pkg_config("--cflags-only-I")
    libs = pkg_config("--libs")
    if cflags is None or libs is None:
        fail("cannot find libconcoll: pkg-config concoll failed (is libconcoll installed? "
             "set PKG_CONFIG_PATH=PREFIX/lib/pkgconfig), and neither CONCOLL_INCLUDE_DIR "
             "nor CONCOLL_LIB_DIR is set")
    return ([f[2:] for f in cflags if f.startswith("-I")],
            [f[2:] for f in libs if f.startswith("-L")],
            [f[2:] for f in libs if f.startswith("-l")] or ["concoll"],
            "pkg-config concoll")


include_dirs, library_dirs, libraries, how = find_libconcoll()
search = include_dirs + ["/usr/local/include", "/usr/include"]
if not any(os.path.isfile(os.path.join(d, "concoll", "concoll.h")) for d in search):
    fail("concoll/concoll.h is not in %s (found with %s): install libconcoll's headers, "
         "or set CONCOLL_INCLUDE_DIR" % (", ".join(search), how))
if "CONCOLL_LIB_DIR" in os.environ and not glob.glob(os.path.join(os.environ["CONCOLL_LIB_DIR"], "libconcoll.so*")):
    fail("no libconcoll.so in CONCOLL_LIB_DIR=%s" % os.environ["CONCOLL_LIB_DIR"])
print("concurrent-collections: libconcoll from %s: -I%s -L%s" % (how, " -I".join(include_dirs) or "(default)",
      " -L".join(library_dirs) or "(default)"), file=sys.stderr)

here = os.path.dirname(os.path.abspath(__file__))
sources = sorted(os.path.relpath(p, here) for p in glob.glob(os.path.join(here, "src", "*.c")))
depends = sorted(os.path.relpath(p, here) for p in glob.glob(os.path.join(here, "src", "*.h")))
if not sources:
    fail("no C sources in %s" % os.path.join(here, "src"))

setup(
    ext_modules=[
        Extension(
            "concurrent_collections._concoll",
            sources=sources,
            depends=depends,
            include_dirs=include_dirs,
            library_dirs=library_dirs,
            libraries=libraries,
            runtime_library_dirs=library_dirs if os.environ.get("CONCOLL_RPATH") == "1" else [],
            extra_compile_args=["-fvisibility=hidden"],
        )
    ],
)
