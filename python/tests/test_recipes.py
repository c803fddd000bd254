# SPDX-License-Identifier: BSD-3-Clause
"""Tests of concurrent_collections.recipes.BoundedSkipListMap."""

import collections.abc
import copy
import pickle
import random
import sys
import threading

import pytest

from concurrent_collections import SkipListMap
from concurrent_collections.recipes import BoundedSkipListMap, MapFull

BACKENDS = ["lockfree", "locked"]
POLICIES = ["reject", "evict_first", "evict_last"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def lower(s):
    return s.lower()


def slots_taken(m):
    # White-box: the reservation counter must match the entries when idle.
    return m._count


# -- construction ---------------------------------------------------------------


def test_construction_and_properties(backend):
    m = BoundedSkipListMap(3, key=lower, backend=backend, policy="evict_last")
    assert m.maxlen == 3
    assert m.policy == "evict_last"
    assert m.key is lower
    assert m.backend == backend
    assert m.on_evict is None
    assert len(m) == 0
    assert isinstance(m, collections.abc.MutableMapping)
    assert not isinstance(m, SkipListMap)  # composition, not a subclass


def test_auto_backend():
    assert BoundedSkipListMap(1).backend in ("lockfree", "locked")


@pytest.mark.parametrize("bad", [0, -1])
def test_maxlen_must_be_positive(bad):
    with pytest.raises(ValueError, match="maxlen"):
        BoundedSkipListMap(bad)


def test_maxlen_must_be_an_int():
    with pytest.raises(TypeError):
        BoundedSkipListMap(2.5)
    assert BoundedSkipListMap(True).maxlen == 1  # operator.index


def test_bad_policy_and_callback():
    with pytest.raises(ValueError, match="policy"):
        BoundedSkipListMap(3, policy="evict_random")
    with pytest.raises(TypeError, match="on_evict"):
        BoundedSkipListMap(3, on_evict=42)
    with pytest.raises(ValueError):
        BoundedSkipListMap(3, backend="nope")


def test_items_are_inserted_under_the_policy():
    assert dict(BoundedSkipListMap(3, {1: "a", 2: "b"}).items()) == {1: "a", 2: "b"}
    assert list(BoundedSkipListMap(3, [(2, "b"), (1, "a")]).items()) == [(1, "a"), (2, "b")]
    with pytest.raises(MapFull):
        BoundedSkipListMap(3, {i: i for i in range(4)})
    m = BoundedSkipListMap(3, ((i, i) for i in range(10)), policy="evict_first")
    assert list(m) == [7, 8, 9]
    m = BoundedSkipListMap(3, ((i, i) for i in range(10)), policy="evict_last")
    assert list(m) == [0, 1, 9]


# -- policies ---------------------------------------------------------------------


def test_reject(backend):
    m = BoundedSkipListMap(3, {1: "a", 2: "b", 3: "c"}, backend=backend)
    with pytest.raises(MapFull) as info:
        m[4] = "d"
    assert info.value.key == 4
    assert "maxlen=3" in str(info.value)
    assert isinstance(info.value, Exception)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is MapFull and again.key == 4 and str(again) == str(info.value)
    assert dict(m.items()) == {1: "a", 2: "b", 3: "c"}
    with pytest.raises(MapFull):
        m.setdefault(0, "z")
    with pytest.raises(MapFull):
        m.update({5: "e"})
    assert list(m) == [1, 2, 3]
    # Replacement never needs room.
    m[2] = "B"
    assert m.setdefault(3, "unused") == "c"
    assert dict(m.items()) == {1: "a", 2: "B", 3: "c"}
    # A removal frees a slot.
    del m[1]
    m[4] = "d"
    assert dict(m.items()) == {2: "B", 3: "c", 4: "d"}
    assert m.pop(2) == "B"
    assert m.setdefault(0, "z") == "z"
    assert list(m.items()) == [(0, "z"), (3, "c"), (4, "d")]
    assert slots_taken(m) == 3


def test_evict_first(backend):
    evicted = []
    m = BoundedSkipListMap(3, backend=backend, policy="evict_first",
                           on_evict=lambda k, v: evicted.append((k, v)))
    for k in (5, 3, 8):
        m[k] = str(k)
    assert evicted == []
    m[6] = "6"
    assert evicted == [(3, "3")]
    assert list(m) == [5, 6, 8]
    # The new key is stored even when it is the least of all.
    m[1] = "1"
    assert evicted == [(3, "3"), (5, "5")]
    assert list(m.items()) == [(1, "1"), (6, "6"), (8, "8")]
    assert m.setdefault(9, "9") == "9"
    assert evicted[-1] == (1, "1")
    assert list(m) == [6, 8, 9]
    assert len(m) == 3 and slots_taken(m) == 3


def test_evict_last(backend):
    evicted = []
    m = BoundedSkipListMap(3, backend=backend, policy="evict_last",
                           on_evict=lambda k, v: evicted.append((k, v)))
    m.update({5: "5", 3: "3", 8: "8"})
    m[6] = "6"
    assert evicted == [(8, "8")]
    assert list(m) == [3, 5, 6]
    m[10] = "10"  # the greatest, stored anyway
    assert evicted[-1] == (6, "6")
    assert list(m) == [3, 5, 10]
    m[4] = "4"
    assert evicted[-1] == (10, "10")
    assert list(m) == [3, 4, 5]


def test_evict_without_callback():
    m = BoundedSkipListMap(2, {1: 1, 2: 2}, policy="evict_first")
    m[3] = 3
    assert dict(m.items()) == {2: 2, 3: 3}


@pytest.mark.parametrize("policy", POLICIES)
def test_replacement_never_evicts(backend, policy):
    evicted = []
    m = BoundedSkipListMap(3, {1: "a", 2: "b", 3: "c"}, backend=backend, policy=policy,
                           on_evict=lambda k, v: evicted.append(k))
    for i in range(10):
        m[1 + i % 3] = i
        m.setdefault(1 + i % 3, "unused")
    m.update({1: "x", 3: "z"})
    assert evicted == []
    assert dict(m.items()) == {1: "x", 2: 7, 3: "z"}
    assert slots_taken(m) == 3


@pytest.mark.parametrize("policy", POLICIES)
def test_key_function_replacement_keeps_the_stored_key(policy):
    evicted = []
    m = BoundedSkipListMap(2, key=lower, policy=policy, on_evict=lambda k, v: evicted.append(k))
    m["Apple"] = 1
    m["banana"] = 2
    m["APPLE"] = 3  # equal to "Apple" under the key function: a replacement
    assert evicted == []
    assert list(m.items()) == [("Apple", 3), ("banana", 2)]
    assert "aPpLe" in m and m["apple"] == 3


@pytest.mark.parametrize("policy", POLICIES)
def test_on_evict_error_propagates_after_the_insertion(policy):
    def boom(k, v):
        raise RuntimeError(f"evicted {k}")

    m = BoundedSkipListMap(2, {1: 1, 2: 2}, policy=policy, on_evict=boom)
    if policy == "reject":
        with pytest.raises(MapFull):
            m[3] = 3
        return
    with pytest.raises(RuntimeError, match="evicted"):
        m[3] = 3
    assert 3 in m and len(m) == 2 and slots_taken(m) == 2


@pytest.mark.parametrize("policy", POLICIES)
def test_unorderable_key_leaves_the_map_unchanged(backend, policy):
    evicted = []
    m = BoundedSkipListMap(3, {1: "a", 2: "b", 3: "c"}, backend=backend, policy=policy,
                           on_evict=lambda k, v: evicted.append(k))
    with pytest.raises(TypeError):
        m["x"] = "y"
    with pytest.raises(TypeError):
        m.setdefault(object(), 1)
    assert evicted == []
    assert dict(m.items()) == {1: "a", 2: "b", 3: "c"}
    assert slots_taken(m) == 3
    del m[2]
    m[4] = "d"  # no slot leaked
    assert list(m) == [1, 3, 4]


def test_key_function_error_leaves_the_map_unchanged():
    def key(k):
        if k == "bad":
            raise ValueError("bad key")
        return k

    m = BoundedSkipListMap(2, {"a": 1, "b": 2}, key=key, policy="evict_first")
    with pytest.raises(ValueError, match="bad key"):
        m["bad"] = 3
    assert dict(m.items()) == {"a": 1, "b": 2}
    assert slots_taken(m) == 2


# -- the mapping API ----------------------------------------------------------------


def test_mapping_api(backend):
    m = BoundedSkipListMap(5, {3: "c", 1: "a", 2: "b"}, backend=backend)
    assert m[1] == "a" and m.get(2) == "b" and m.get(9) is None and m.get(9, "x") == "x"
    with pytest.raises(KeyError):
        m[9]
    assert 3 in m and 9 not in m
    assert len(m) == 3
    assert list(m) == [1, 2, 3]
    assert list(reversed(m)) == [3, 2, 1]
    assert list(m.keys()) == [1, 2, 3]
    assert list(m.values()) == ["a", "b", "c"]
    assert list(m.items()) == [(1, "a"), (2, "b"), (3, "c")]
    assert "b" in m.values() and "z" not in m.values()
    assert (2, "b") in m.items() and (2, "x") not in m.items() and (9, "b") not in m.items()
    assert 2 in m.keys()
    assert m == {1: "a", 2: "b", 3: "c"}
    assert m != {1: "a", 2: "b"}
    assert m != {1: "a", 2: "b", 3: "x"}
    assert m == BoundedSkipListMap(3, {1: "a", 2: "b", 3: "c"})
    assert m != [1, 2, 3]
    with pytest.raises(TypeError):
        hash(m)
    assert m.pop(2) == "b"
    assert m.pop(2, "gone") == "gone"
    with pytest.raises(KeyError):
        m.pop(2)
    with pytest.raises(KeyError):
        del m[2]
    assert m.popitem() == (1, "a")  # the least
    m.update([(7, "g"), (5, "e")])
    assert m.pop_first() == (3, "c")
    assert m.pop_last() == (7, "g")
    assert list(m.items()) == [(5, "e")]
    m.clear()
    assert len(m) == 0 and list(m) == [] and slots_taken(m) == 0
    for name in ("popitem", "pop_first", "pop_last", "first_key", "last_key", "first_item",
                 "last_item"):
        with pytest.raises(KeyError):
            getattr(m, name)()
    m.update({i: i for i in range(5)})  # all five slots are free again
    assert len(m) == 5


def test_navigation(backend):
    m = BoundedSkipListMap(10, {10: "a", 20: "b", 30: "c"}, backend=backend)
    assert m.floor_key(20) == 20 and m.floor_key(25) == 20 and m.floor_key(5) is None
    assert m.ceiling_key(20) == 20 and m.ceiling_key(25) == 30 and m.ceiling_key(35, -1) == -1
    assert m.lower_key(20) == 10 and m.lower_key(10, "none") == "none"
    assert m.higher_key(20) == 30 and m.higher_key(30) is None
    assert m.floor_item(25) == (20, "b") and m.floor_item(5, "d") == "d"
    assert m.ceiling_item(25) == (30, "c") and m.ceiling_item(31) is None
    assert m.lower_item(20) == (10, "a") and m.lower_item(10) is None
    assert m.higher_item(20) == (30, "c") and m.higher_item(30, 0) == 0
    assert m.first_key() == 10 and m.last_key() == 30
    assert m.first_item() == (10, "a") and m.last_item() == (30, "c")
    assert list(m.irange()) == [10, 20, 30]
    assert list(m.irange(15, 30)) == [20, 30]
    assert list(m.irange(10, 30, (False, False))) == [20]
    assert list(m.irange(None, 20, reverse=True)) == [20, 10]


def test_range_views_are_live_and_unwrapped(backend):
    m = BoundedSkipListMap(10, {10: "a", 20: "b", 30: "c"}, backend=backend)
    head = m.head_map(30)
    tail = m.tail_map(20)
    sub = m.sub_map(10, 30)
    assert list(head.items()) == [(10, "a"), (20, "b")]
    assert list(m.head_map(30, True)) == [10, 20, 30]
    assert list(tail.items()) == [(20, "b"), (30, "c")]
    assert list(m.tail_map(20, False)) == [30]
    assert list(sub.values()) == ["a", "b"]
    assert list(m.sub_map(10, 30, False, True)) == [20, 30]
    assert head[20] == "b" and head.get(30) is None and head.get(20) == "b"
    with pytest.raises(KeyError):
        head[30]
    assert 10 in head and 30 not in head
    assert len(sub) == 2 and list(reversed(sub)) == [20, 10]
    assert isinstance(head, collections.abc.Mapping)
    assert head == {10: "a", 20: "b"}
    assert "b" in sub.values() and (10, "a") in sub.items()
    assert "10: 'a'" in repr(head)
    m[15] = "x"
    del m[10]
    assert list(head.items()) == [(15, "x"), (20, "b")]


def test_freeze_copy_deepcopy(backend):
    evicted = []
    m = BoundedSkipListMap(3, {1: [1], 2: [2]}, backend=backend, policy="evict_first",
                           on_evict=lambda k, v: evicted.append(k))
    f = m.freeze()
    assert type(f).__name__ == "FrozenSkipListMap"
    assert dict(f.items()) == {1: [1], 2: [2]}
    c = m.copy()
    assert type(c) is BoundedSkipListMap
    assert (c.maxlen, c.policy, c.backend, c.on_evict) == (3, "evict_first", backend, m.on_evict)
    assert c == m
    c[3] = [3]
    c[4] = [4]  # evicts 1 from the copy only
    assert list(m) == [1, 2] and list(c) == [2, 3, 4]
    assert evicted == [1]
    assert copy.copy(m) == m
    d = copy.deepcopy(m)
    assert d == m and d[1] is not m[1] and d.maxlen == 3
    assert slots_taken(c) == 3 and slots_taken(d) == 2


def test_copy_with_key_function():
    m = BoundedSkipListMap(2, {"B": 1, "a": 2}, key=lower)
    c = m.copy()
    assert c.key is lower and list(c) == ["a", "B"]
    with pytest.raises(MapFull):
        c["c"] = 3


@pytest.mark.parametrize("policy", POLICIES)
def test_pickle(backend, policy):
    m = BoundedSkipListMap(4, {2: "b", 1: "a"}, backend=backend,
                           policy=policy)
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        p = pickle.loads(pickle.dumps(m, proto))
        assert type(p) is BoundedSkipListMap
        assert (p.maxlen, p.policy, p.backend) == (4, policy, backend)
        assert list(p.items()) == [(1, "a"), (2, "b")]
        assert slots_taken(p) == 2


def test_pickle_with_key_function():
    m = BoundedSkipListMap(2, {"B": 1, "a": 2}, key=lower)
    p = pickle.loads(pickle.dumps(m))
    assert p.key is lower and list(p) == ["a", "B"]


def test_pickle_unpicklable_key_or_callback():
    m = BoundedSkipListMap(2, {"a": 1}, key=lambda s: s)
    with pytest.raises(TypeError, match="key function"):
        pickle.dumps(m)
    m = BoundedSkipListMap(2, {"a": 1}, on_evict=lambda k, v: None)
    with pytest.raises(TypeError, match="on_evict"):
        pickle.dumps(m)


def test_repr():
    assert repr(BoundedSkipListMap(3, {2: "b", 1: "a"})) == \
        "BoundedSkipListMap(3, {1: 'a', 2: 'b'}, policy='reject')"
    assert repr(BoundedSkipListMap(1, policy="evict_last")) == \
        "BoundedSkipListMap(1, {}, policy='evict_last')"
    r = repr(BoundedSkipListMap(1, key=lower))
    assert "key=<function lower" in r
    m = BoundedSkipListMap(2)
    m[1] = m
    assert repr(m) == "BoundedSkipListMap(2, {1: ...}, policy='reject')"


# -- threads --------------------------------------------------------------------------

NTHREADS = 8


@pytest.fixture
def fast_switching():
    # On GIL builds, switch threads often so that the operations interleave.
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def run_threads(target, n=NTHREADS):
    barrier = threading.Barrier(n)
    errors = []

    def body(i):
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("policy", ["evict_first", "evict_last"])
def test_threads_evict_and_pop_conserve_keys(backend, policy, fast_switching):
    """8 threads insert disjoint keys, once each, and pop now and then: every
    key ends in exactly one place, present, popped or reported evicted, with
    its own value."""
    maxlen = 64
    per_thread = 2000
    evicted = []
    popped = [[] for _ in range(NTHREADS)]
    m = BoundedSkipListMap(maxlen, backend=backend, policy=policy,
                           on_evict=lambda k, v: evicted.append((k, v)))

    def work(i):
        rnd = random.Random(i)
        keys = list(range(i, per_thread * NTHREADS, NTHREADS))
        rnd.shuffle(keys)
        mine = popped[i]
        for n, k in enumerate(keys):
            m[k] = ("v", k)
            if n % 11 == 0:
                try:
                    mine.append(m.pop_first() if n % 2 else m.pop_last())
                except KeyError:
                    pass

    run_threads(work)
    present = list(m.items())
    popped_all = [item for lst in popped for item in lst]
    for k, v in present + evicted + popped_all:
        assert v == ("v", k)
    assert len(present) == len(m) == slots_taken(m) <= maxlen
    places = [k for k, _ in present] + [k for k, _ in evicted] + [k for k, _ in popped_all]
    assert len(places) == len(set(places)) == per_thread * NTHREADS
    assert set(places) == set(range(per_thread * NTHREADS))


def test_threads_evict_disjoint_keys_present_xor_evicted(backend, fast_switching):
    """Keys inserted once each: none is both present and reported evicted."""
    maxlen = 100
    per_thread = 3000
    evicted = []
    m = BoundedSkipListMap(maxlen, backend=backend, policy="evict_first",
                           on_evict=lambda k, v: evicted.append(k))

    def work(i):
        rnd = random.Random(100 + i)
        keys = list(range(i, per_thread * NTHREADS, NTHREADS))
        rnd.shuffle(keys)
        for k in keys:
            m[k] = k

    run_threads(work)
    present = set(m)
    assert len(m) == maxlen == len(present) == slots_taken(m)
    assert len(evicted) == len(set(evicted)) == per_thread * NTHREADS - maxlen
    assert present.isdisjoint(evicted)
    assert present | set(evicted) == set(range(per_thread * NTHREADS))


def test_threads_reject_admits_exactly_maxlen(backend, fast_switching):
    maxlen = 150
    per_thread = 500
    admitted = [[] for _ in range(NTHREADS)]
    m = BoundedSkipListMap(maxlen, backend=backend)

    def work(i):
        mine = admitted[i]
        for k in range(i, per_thread * NTHREADS, NTHREADS):
            try:
                m[k] = k
            except MapFull:
                continue
            mine.append(k)
            m[k] = -k  # replacements always succeed, full or not
            assert m.setdefault(k, 0) == -k

    run_threads(work)
    admitted_all = sorted(k for lst in admitted for k in lst)
    assert len(admitted_all) == maxlen
    assert list(m.items()) == [(k, -k) for k in admitted_all]
    assert len(m) == slots_taken(m) == maxlen


def test_threads_same_keys_setdefault_and_pop(backend, fast_switching):
    """Threads fight over a few keys with setdefault, replacement and pop: each
    value popped was inserted, no slot leaks, the bound holds."""
    maxlen = 4
    keys = list(range(8))
    m = BoundedSkipListMap(maxlen, backend=backend, policy="evict_last")
    taken = []

    def work(i):
        rnd = random.Random(i)
        for n in range(3000):
            k = rnd.choice(keys)
            op = n % 4
            if op == 0:
                m.setdefault(k, (i, n))
            elif op == 1:
                m[k] = (i, n)
            elif op == 2:
                v = m.pop(k, None)
                if v is not None:
                    taken.append(v)
            else:
                m.get(k)

    run_threads(work)
    assert len(m) == slots_taken(m) <= maxlen
    assert all(isinstance(v, tuple) for v in taken)
    m.clear()
    assert slots_taken(m) == 0
    for k in range(maxlen):
        m[k] = k
    assert len(m) == maxlen
