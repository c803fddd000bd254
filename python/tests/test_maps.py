# SPDX-License-Identifier: BSD-3-Clause
"""SkipListMap, SkipListSet and their frozen snapshots: the sequential API."""

import copy
import gc
import math
import pickle
import sys
import weakref
from collections.abc import Mapping, MutableMapping, MutableSet, Set

import pytest

import concurrent_collections as cc

BACKENDS = ["lockfree", "locked"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def test_abc_and_backend(backend):
    m = cc.SkipListMap(backend=backend)
    s = cc.SkipListSet(backend=backend)
    assert isinstance(m, MutableMapping) and isinstance(s, MutableSet)
    assert m.backend == backend and s.backend == backend
    assert cc.SkipListMap().backend in ("lockfree", "locked")
    assert isinstance(m.freeze(), Mapping) and isinstance(s.freeze(), Set)
    with pytest.raises(ValueError):
        cc.SkipListMap(backend="nope")
    with pytest.raises(TypeError):
        cc.SkipListMap(key=3)


def test_mapping_basics(backend):
    m = cc.SkipListMap(backend=backend)
    assert len(m) == 0 and not m and list(m) == []
    for k in [5, 3, 9, 1, 7]:
        m[k] = str(k)
    assert list(m) == [1, 3, 5, 7, 9]
    assert list(reversed(m)) == [9, 7, 5, 3, 1]
    assert len(m) == 5 and m[3] == "3" and 3 in m and 4 not in m
    m[3] = "three"
    assert m[3] == "three" and len(m) == 5
    del m[3]
    assert 3 not in m and len(m) == 4
    with pytest.raises(KeyError):
        m[3]
    with pytest.raises(KeyError):
        del m[3]
    assert m.get(3) is None and m.get(3, "d") == "d" and m.get(5) == "5"
    assert list(m.items()) == [(1, "1"), (5, "5"), (7, "7"), (9, "9")]
    assert list(m.values()) == ["1", "5", "7", "9"]
    assert list(reversed(m.items()))[0] == (9, "9")
    assert (5, "5") in m.items() and (5, "x") not in m.items()
    assert m == {1: "1", 5: "5", 7: "7", 9: "9"}
    assert m != {1: "1"}


def test_atomic_mixins(backend):
    m = cc.SkipListMap({1: "a"}, backend=backend)
    assert m.setdefault(1, "z") == "a"
    assert m.setdefault(2, "b") == "b" and m[2] == "b"
    assert m.setdefault(3) is None and 3 in m
    assert m.pop(3) is None
    assert m.pop(2) == "b" and 2 not in m
    assert m.pop(2, "gone") == "gone"
    with pytest.raises(KeyError):
        m.pop(2)
    m.update({5: "e", 4: "d"}, x=None) if False else m.update({5: "e", 4: "d"})
    assert m.popitem() == (1, "a")
    assert m.pop_last() == (5, "e") and m.pop_first() == (4, "d")
    with pytest.raises(KeyError):
        m.popitem()
    with pytest.raises(KeyError):
        m.pop_first()
    with pytest.raises(KeyError):
        m.pop_last()
    m.update([(1, 1), (2, 2)])
    m.clear()
    assert len(m) == 0 and list(m) == []


def test_navigation(backend):
    m = cc.SkipListMap(((k, k * 10) for k in range(0, 100, 10)), backend=backend)
    assert m.floor_key(25) == 20 and m.floor_key(20) == 20 and m.floor_key(-1) is None
    assert m.ceiling_key(25) == 30 and m.ceiling_key(30) == 30 and m.ceiling_key(91) is None
    assert m.lower_key(20) == 10 and m.lower_key(0, "none") == "none"
    assert m.higher_key(20) == 30 and m.higher_key(90) is None
    assert m.floor_item(25) == (20, 200) and m.ceiling_item(25) == (30, 300)
    assert m.lower_item(20) == (10, 100) and m.higher_item(20) == (30, 300)
    assert m.higher_item(90, 7) == 7
    assert m.first_key() == 0 and m.last_key() == 90
    assert m.first_item() == (0, 0) and m.last_item() == (90, 900)
    e = cc.SkipListMap(backend=backend)
    for f in (e.first_key, e.last_key, e.first_item, e.last_item):
        with pytest.raises(KeyError):
            f()
    # navigation across int and float keys
    assert m.floor_key(25.5) == 20 and m.ceiling_key(19.999) == 20


def test_ranges(backend):
    m = cc.SkipListMap(((k, str(k)) for k in range(10)), backend=backend)
    assert list(m.irange(3, 6)) == [3, 4, 5, 6]
    assert list(m.irange(3, 6, inclusive=(False, False))) == [4, 5]
    assert list(m.irange(3, 6, reverse=True)) == [6, 5, 4, 3]
    assert list(m.irange(None, 2)) == [0, 1, 2]
    assert list(m.irange(8)) == [8, 9]
    assert list(m.irange(6, 3)) == []
    h = m.head_map(3)
    assert list(h) == [0, 1, 2] and len(h) == 3 and 2 in h and 3 not in h
    assert list(m.head_map(3, inclusive=True)) == [0, 1, 2, 3]
    t = m.tail_map(7)
    assert list(t.items()) == [(7, "7"), (8, "8"), (9, "9")]
    assert list(m.tail_map(7, inclusive=False)) == [8, 9]
    s = m.sub_map(2, 5)
    assert list(s) == [2, 3, 4] and list(s.values()) == ["2", "3", "4"]
    assert s[4] == "4"
    with pytest.raises(KeyError):
        s[5]
    assert list(reversed(s)) == [4, 3, 2]
    # views are live
    m[3.5] = "x"
    assert list(s) == [2, 3, 3.5, 4]
    del m[2]
    assert list(s) == [3, 3.5, 4]


def test_many_keys_iteration_batches(backend):
    m = cc.SkipListMap(backend=backend)
    for k in range(1000):
        m[k] = k
    assert list(m) == list(range(1000))
    assert list(reversed(m)) == list(range(999, -1, -1))
    assert sum(1 for _ in m.items()) == 1000
    assert list(m.irange(100, 899, inclusive=(False, True))) == list(range(101, 900))


def test_iteration_with_concurrent_modification_is_weakly_consistent(backend):
    m = cc.SkipListMap(((k, k) for k in range(0, 200, 2)), backend=backend)
    seen = []
    for k in m:
        seen.append(k)
        if k == 50:
            for j in range(0, 200, 2):
                if j != 52:
                    m.pop(j, None)  # remove everything else, even what is behind
            m[51] = 1  # inserted behind the cursor: not returned
            m[150] = 1  # ahead: returned
            m[199] = 1
    assert seen == sorted(set(seen))  # in order, each at most once
    assert seen[:26] == list(range(0, 52, 2))
    assert 52 in seen  # present for the whole iteration
    assert 51 not in seen  # inserted behind the cursor
    # everything else was present at some moment during the iteration
    assert set(seen) <= set(range(0, 200, 2)) | {150, 199}
    assert list(m) == [51, 52, 150, 199]


def test_natural_orders():
    m = cc.SkipListMap()
    keys = [-(2**70), -(2**62) - 1, -(2**62), -5, -1.5, -0.0, 1, 2**53 + 1, 2**62 - 1, 2**62,
            2**70, float("inf")]
    for i, k in enumerate(keys):
        m[k] = i
    assert list(m) == sorted(keys)
    assert m[0] == 5 and m[0.0] == 5 and m[-0.0] == 5  # 0 == 0.0 == -0.0: one key
    m[1.0] = "one"
    assert m[1] == "one" and len(m) == len(keys)
    m[float("nan")] = "nan"
    assert m.last_key() != m.last_key()  # NaN sorts above +inf
    assert m[float("nan")] == "nan"
    s = cc.SkipListSet(["b", "a", "ab", "é", "\U0001F600", "", "abcdefghij", "abcdefghi"])
    assert list(s) == sorted(["b", "a", "ab", "é", "\U0001F600", "", "abcdefghij", "abcdefghi"])
    b = cc.SkipListSet([b"b", b"a", b"a\x00", b"", b"abcdefghij", b"abcdefghi\xff"])
    assert list(b) == sorted([b"b", b"a", b"a\x00", b"", b"abcdefghij", b"abcdefghi\xff"])
    t = cc.SkipListSet([(1, 2), (1, 1), (0, 5)])
    assert list(t) == [(0, 5), (1, 1), (1, 2)]
    assert list(cc.SkipListSet([True, 3, False])) == [False, True, 3]


def test_unorderable_keys_raise_and_leave_map_unchanged():
    m = cc.SkipListMap({1: "a", 2: "b"})
    with pytest.raises(TypeError):
        m["x"] = 1
    with pytest.raises(TypeError):
        m.setdefault("x", 1)
    with pytest.raises(TypeError):
        "x" in m
    assert dict(m) == {1: "a", 2: "b"}
    s = cc.SkipListSet([1])
    with pytest.raises(TypeError):
        s.add(object())
    assert list(s) == [1]


class Boom:
    """Compares by value; raises when armed."""
    armed = False

    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        if Boom.armed:
            raise ZeroDivisionError("boom")
        return self.v < other.v

    def __eq__(self, other):
        return self.v == other.v

    def __hash__(self):
        return hash(self.v)


@pytest.mark.parametrize("backend", BACKENDS)
def test_exception_in_comparison_propagates_and_changes_nothing(backend):
    m = cc.SkipListMap(backend=backend)
    for i in range(50):
        m[Boom(i)] = i
    Boom.armed = True
    try:
        for op in (lambda: m.__setitem__(Boom(7.5), 0), lambda: m.__delitem__(Boom(7)),
                   lambda: m[Boom(7)], lambda: m.pop(Boom(3)), lambda: m.setdefault(Boom(100)),
                   lambda: m.floor_key(Boom(3)), lambda: list(m.irange(Boom(3)))):
            with pytest.raises(ZeroDivisionError):
                op()
    finally:
        Boom.armed = False
    assert [b.v for b in m] == list(range(50))
    assert m[Boom(7)] == 7


def test_key_function(backend):
    m = cc.SkipListMap(key=str.lower, backend=backend)
    m["b"] = 1
    m["A"] = 2
    m["a"] = 3  # the same key as "A": replaces the value, keeps "A"
    assert list(m.items()) == [("A", 3), ("b", 1)]
    assert m.key is str.lower and "B" in m and m.floor_key("aa") == "A"
    s = cc.SkipListSet([3, -1, -2], key=abs, backend=backend)
    assert list(s) == [-1, -2, 3] and 1 in s and s.ceiling(2) == -2
    assert list(s.irange(2, 3)) == [-2, 3]
    r = cc.SkipListMap(key=lambda k: -k)
    r.update({1: 1, 2: 2, 3: 3})
    assert list(r) == [3, 2, 1] and list(r.head_map(2)) == [3]

    def bad(k):
        raise ValueError("bad key")
    b = cc.SkipListMap(key=bad)
    with pytest.raises(ValueError):
        b[1] = 1
    assert len(b) == 0


def test_set_api(backend):
    s = cc.SkipListSet([5, 1, 3], backend=backend)
    assert list(s) == [1, 3, 5] and len(s) == 3 and 3 in s
    s.add(3)
    s.add(4)
    assert list(s) == [1, 3, 4, 5]
    s.discard(10)
    s.discard(4)
    with pytest.raises(KeyError):
        s.remove(4)
    assert s.floor(4) == 3 and s.ceiling(4) == 5 and s.lower(3) == 1 and s.higher(5) is None
    assert s.first() == 1 and s.last() == 5
    assert s == {1, 3, 5} and s != {1}
    assert s | {2} == {1, 2, 3, 5} and isinstance(s | {2}, cc.SkipListSet)
    assert s & {1, 5, 9} == {1, 5} and s - {1} == {3, 5} and s ^ {1, 9} == {3, 5, 9}
    assert list(s.head_set(3)) == [1] and list(s.tail_set(3)) == [3, 5]
    assert list(s.sub_set(1, 5, to_inclusive=True)) == [1, 3, 5]
    assert 5 in s.tail_set(3) and 1 not in s.tail_set(3)
    assert s.pop() == 1 and s.pop_last() == 5 and s.pop_first() == 3
    with pytest.raises(KeyError):
        s.pop()
    assert repr(cc.SkipListSet([2, 1])) == "SkipListSet([1, 2])"


def test_repr_copy_pickle(backend):
    m = cc.SkipListMap({2: "b", 1: "a"}, backend=backend)
    assert repr(m) == "SkipListMap({1: 'a', 2: 'b'})"
    m[3] = m
    assert "..." in repr(m)
    del m[3]
    c = m.copy()
    assert c == m and c is not m and c.backend == backend
    c[9] = 9
    assert 9 not in m
    assert copy.copy(m) == m and copy.deepcopy(m) == m
    for obj in (m, cc.SkipListSet([3, 1]), m.freeze(), cc.SkipListSet([1]).freeze(),
                cc.SkipListMap({1: 2}, key=abs)):
        r = pickle.loads(pickle.dumps(obj))
        assert type(r) is type(obj) and r == obj and r.key == obj.key
    assert pickle.loads(pickle.dumps(m)).backend == backend
    with pytest.raises(TypeError, match="key function"):
        pickle.dumps(cc.SkipListMap(key=lambda k: k))


def test_frozen():
    m = cc.SkipListMap({3: "c", 1: "a", 2: "b"})
    f = m.freeze()
    m[4] = "d"
    del m[1]
    assert type(f) is cc.FrozenSkipListMap
    assert list(f.items()) == [(1, "a"), (2, "b"), (3, "c")] and len(f) == 3
    assert f[2] == "b" and 4 not in f and f.get(4, 0) == 0
    assert f.floor_key(2.5) == 2 and f.higher_item(2) == (3, "c") and f.lower_key(1) is None
    assert f.first_key() == 1 and f.last_item() == (3, "c")
    assert list(f.irange(2)) == [2, 3] and list(reversed(f)) == [3, 2, 1]
    assert list(f.irange(1, 3, inclusive=(False, False))) == [2]
    assert list(f.sub_map(1, 3).items()) == [(1, "a"), (2, "b")]
    g = cc.FrozenSkipListMap({1: "a", 2: "b", 3: "c"})
    assert f == g and hash(f) == hash(g) and {f: 1}[g] == 1
    assert f == {1: "a", 2: "b", 3: "c"} and f != {1: "a"}
    assert f != cc.FrozenSkipListMap({1: "a", 2: "b", 3: "x"})
    with pytest.raises(TypeError):
        f[5] = 1
    t = f.thaw()
    assert type(t) is cc.SkipListMap and t == f
    fs = cc.SkipListSet([3, 1]).freeze()
    assert type(fs) is cc.FrozenSkipListSet and list(fs) == [1, 3]
    assert fs == frozenset({1, 3}) and hash(fs) == hash(frozenset({1, 3}))
    assert fs.floor(2) == 1 and fs.first() == 1 and fs.last() == 3
    assert fs | {5} == {1, 3, 5} and isinstance(fs | {5}, cc.FrozenSkipListSet)
    with pytest.raises(TypeError):
        hash(cc.FrozenSkipListMap({1: []}))
    with pytest.raises(TypeError):
        hash(m)
    k = cc.FrozenSkipListSet(["B", "a"], key=str.lower)
    assert list(k) == ["a", "B"] and "b" in k
    e = cc.FrozenSkipListMap()
    assert len(e) == 0 and list(e) == [] and e == {}
    with pytest.raises(KeyError):
        e.first_key()


def test_subclassing():
    class M(cc.SkipListMap):
        def describe(self):
            return f"{len(self)} entries"
    m = M({1: 2})
    assert m.describe() == "1 entries" and isinstance(m, cc.SkipListMap)
    assert type(m.copy()) is M


def test_weakref():
    m = cc.SkipListMap()
    r = weakref.ref(m)
    assert r() is m
    del m
    gc.collect()
    assert r() is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_and_big_ints_order_consistently(backend):
    import random
    base = [-(2**70), -(2**64), -1e300, -1, False, True, 0.5, 2, 2**63, 2**70, 1e300,
            float("inf"), 10**400]
    rng = random.Random(7)
    for _ in range(50):
        keys = base + [float("nan")]
        rng.shuffle(keys)
        m = cc.SkipListMap(backend=backend)
        for k in keys:
            m[k] = 1
        got = list(m)
        assert len(got) == len(base) + 1
        assert math.isnan(got[-1]) and got[:-1] == sorted(base)
        assert m.lower_key(float("nan")) == float("inf") and m[float("nan")] == 1
