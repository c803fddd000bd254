# SPDX-License-Identifier: BSD-3-Clause
"""Object lifetime in the ordered collections: references taken and given
back exactly once (refcounts, weakrefs, tracemalloc), snapshots keep what
they copied, the cyclic GC sees through the collections."""

import gc
import sys
import threading
import tracemalloc
import weakref

import pytest

import concurrent_collections as cc

BACKENDS = ["lockfree", "locked"]
FREE_THREADED = not getattr(sys, "_is_gil_enabled", lambda: True)()


class Obj:
    def __init__(self, v=0):
        self.v = v

    def __lt__(self, other):
        return self.v < other.v

    def __eq__(self, other):
        return self.v == other.v

    def __hash__(self):
        return hash(self.v)


def settle():
    # removed objects are released after the grace period: reclaim() waits
    # for it and drops the references
    cc.reclaim()
    gc.collect()
    cc.reclaim()


def rc(obj):
    return sys.getrefcount(obj)


@pytest.mark.skipif(FREE_THREADED, reason="sys.getrefcount is not exact on free-threaded builds")
@pytest.mark.parametrize("backend", BACKENDS)
def test_refcounts_exact(backend):
    m = cc.SkipListMap(backend=backend)
    k, v, v2 = Obj(1), Obj(2), Obj(3)
    settle()
    rk, rv, rv2 = rc(k), rc(v), rc(v2)
    m[k] = v
    assert (rc(k) - rk) == 1 and (rc(v) - rv) == 1
    got = m[k]
    assert got is v
    del got
    assert (rc(v) - rv) == 1  # get gave its reference back
    m[k] = v2  # replace: the old value goes after the grace period
    settle()
    assert (rc(v) - rv) == 0 and (rc(v2) - rv2) == 1
    assert (rc(k) - rk) == 1
    got = m.pop(k)
    assert got is v2
    del got
    settle()
    assert (rc(k) - rk) == 0 and (rc(v2) - rv2) == 0
    s = cc.SkipListSet(backend=backend)
    s.add(k)
    s.add(k)
    assert (rc(k) - rk) == 1
    s.discard(k)
    settle()
    assert (rc(k) - rk) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_removed_objects_are_freed(backend):
    m = cc.SkipListMap(backend=backend)
    objs = [Obj(i) for i in range(100)]
    vals = [Obj(-i) for i in range(100)]
    refs = [weakref.ref(o) for o in objs + vals]
    for k, v in zip(objs, vals):
        m[k] = v
    del objs, vals, k, v
    settle()
    assert all(r() is not None for r in refs)
    for i in range(0, 100, 2):
        del m[Obj(i)]
    while len(m) > 10:
        m.pop_first()
    m.clear()
    settle()
    assert [r for r in refs if r() is not None] == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_dealloc_releases_everything(backend):
    m = cc.SkipListMap(backend=backend)
    s = cc.SkipListSet(backend=backend)
    o = Obj()
    r = weakref.ref(o)
    m[Obj(1)] = o
    m[Obj(5)] = o
    s.add(o)
    del o
    it = iter(m)  # an iterator that buffered entries holds them too
    next(it)
    del m, s
    settle()
    assert r() is not None
    del it
    settle()
    assert r() is None


def test_snapshot_keeps_what_it_copied():
    m = cc.SkipListMap()
    o = Obj()
    r = weakref.ref(o)
    m["k"] = o
    del o
    f = m.freeze()
    m.clear()
    settle()
    assert r() is not None and f["k"] is r()
    del f
    settle()
    assert r() is None


def test_cycles_are_collected():
    m = cc.SkipListMap()
    m[1] = m  # the map holds itself
    s = cc.SkipListSet()
    holder = [s]
    s.add((1, Obj()))
    holder.append(holder)
    r, rs = weakref.ref(m), weakref.ref(s)
    del m, s, holder
    settle()
    gc.collect()
    settle()
    assert r() is None and rs() is None


def test_key_function_cycle_collected():
    class K:
        pass
    box = K()
    m = cc.SkipListMap(key=lambda k, box=box: k)
    box.m = m
    r = weakref.ref(m)
    del m, box
    settle()
    assert r() is None


def test_no_leak_tracemalloc():
    m, n = cc.SkipListMap(), cc.SkipListMap()

    def churn():
        for i in range(2000):
            m[str(i)] = [i]
            n[float(i)] = (i,)
        for i in range(2000):
            del m[str(i)]
            n.pop(float(i))
        settle()

    churn()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(5):
            churn()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # 5 rounds of 4000 insertions of fresh objects: a leak of even one
    # object per insertion would be over 200 KB
    assert after - before < 64 * 1024


def test_objects_removed_by_other_threads_are_released():
    m = cc.SkipListMap()
    objs = [Obj(i) for i in range(1000)]
    refs = [weakref.ref(o) for o in objs]
    for o in objs:
        m[o] = o
    del objs, o

    def remover(lo):
        for i in range(lo, 1000, 4):
            del m[Obj(i)]

    ts = [threading.Thread(target=remover, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    # the threads exited with garbage pending: it is adopted and released
    settle()
    assert len(m) == 0
    assert [r for r in refs if r() is not None] == []
