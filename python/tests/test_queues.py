# SPDX-License-Identifier: BSD-3-Clause
"""Single-threaded (and simple two-thread) tests of the queues and the stack:
LockFreeQueue, FastQueue, WaitFreeQueue and LockFreeStack."""

import collections
import copy
import gc
import os
import pickle
import queue
import sys
import sysconfig
import threading
import time
import weakref

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import concurrent_collections as cc

# (id, factory, capacity or None for unbounded)
QUEUES = [
    ("LockFreeQueue()", lambda: cc.LockFreeQueue(), None),
    ("LockFreeQueue(4096)", lambda: cc.LockFreeQueue(4096), 4096),
    ("FastQueue()", lambda: cc.FastQueue(), None),
    ("WaitFreeQueue(4096)", lambda: cc.WaitFreeQueue(4096), 4096),
]
STACKS = [
    ("LockFreeStack()", lambda: cc.LockFreeStack(), None),
    ("LockFreeStack(elimination=False)", lambda: cc.LockFreeStack(elimination=False), None),
]
BOUNDED = [
    ("LockFreeQueue(4)", lambda: cc.LockFreeQueue(4), 4),
    ("WaitFreeQueue(4)", lambda: cc.WaitFreeQueue(4), 4),
]


def _params(entries):
    return pytest.mark.parametrize(
        "make,capacity", [(f, c) for _, f, c in entries], ids=[i for i, _, _ in entries]
    )


queues = _params(QUEUES)
stacks = _params(STACKS)
everything = _params(QUEUES + STACKS)
bounded = _params(BOUNDED)


class Item:
    """A weak-referenceable object that is not immortal."""

    def __init__(self, n=0):
        self.n = n

    def __repr__(self):
        return f"Item({self.n})"


# ---------------------------------------------------------------------------
# Order


@queues
def test_fifo_order(make, capacity):
    q = make()
    n = 3000 if capacity else 20000  # unbounded: cross several rings
    for i in range(n):
        q.put(i)
    assert len(q) == n
    assert [q.get() for _ in range(n)] == list(range(n))
    assert len(q) == 0
    # interleaved
    expected = collections.deque()
    k = 0
    for i in range(5000):
        q.put_nowait(k)
        expected.append(k)
        k += 1
        if i % 3 == 0:
            assert q.get_nowait() == expected.popleft()
    while expected:
        assert q.get() == expected.popleft()
    with pytest.raises(queue.Empty):
        q.get_nowait()


@stacks
def test_lifo_order(make, capacity):
    s = make()
    for i in range(10000):
        if i % 2:
            s.push(i)
        else:
            s.put(i)
    assert len(s) == 10000
    out = [s.pop() if i % 2 else s.get() for i in range(10000)]
    assert out == list(range(9999, -1, -1))
    s.push("a")
    s.put_nowait("b")
    assert s.get_nowait() == "b"
    assert s.pop() == "a"


@everything
def test_items_are_the_same_objects(make, capacity):
    q = make()
    objs = [object(), None, 0, "", (), Item()]
    for o in objs:
        q.put(o)
    got = [q.get() for _ in objs]
    if isinstance(q, cc.LockFreeStack):
        got.reverse()
    assert all(a is b for a, b in zip(objs, got))


# ---------------------------------------------------------------------------
# Empty, Full, timeouts


@everything
def test_empty_raises(make, capacity):
    q = make()
    with pytest.raises(queue.Empty):
        q.get_nowait()
    with pytest.raises(queue.Empty):
        q.get(block=False)
    with pytest.raises(queue.Empty):
        q.get(False)
    with pytest.raises(queue.Empty):
        q.get(True, 0)
    with pytest.raises(queue.Empty):
        q.get(timeout=0)
    # block=False ignores the timeout, as queue.Queue does
    with pytest.raises(queue.Empty):
        q.get(False, -1)


@stacks
def test_stack_pop_empty_raises_indexerror(make, capacity):
    s = make()
    with pytest.raises(IndexError):
        s.pop()
    s.push(1)
    assert s.pop() == 1
    with pytest.raises(IndexError):
        s.pop()


@everything
def test_get_timeout_expires(make, capacity):
    q = make()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.05)
    with pytest.raises(queue.Empty):
        q.get(True, 0.02)
    assert len(q) == 0


@bounded
def test_full_raises(make, capacity):
    q = make()
    for i in range(capacity):
        q.put_nowait(i)
    assert q.full()
    assert len(q) == capacity
    with pytest.raises(queue.Full):
        q.put_nowait("x")
    with pytest.raises(queue.Full):
        q.put("x", block=False)
    with pytest.raises(queue.Full):
        q.put("x", False)
    with pytest.raises(queue.Full):
        q.put("x", timeout=0)
    with pytest.raises(queue.Full):
        q.put("x", True, 0.03)
    assert q.get() == 0
    assert not q.full()
    q.put("y")
    assert [q.get() for _ in range(capacity)] == list(range(1, capacity)) + ["y"]
    assert q.empty()


@bounded
def test_failed_put_keeps_no_reference(make, capacity):
    q = make()
    for i in range(capacity):
        q.put(i)
    o = Item()
    before = sys.getrefcount(o)
    for call in (
        lambda: q.put_nowait(o),
        lambda: q.put(o, block=False),
        lambda: q.put(o, timeout=0.01),
    ):
        with pytest.raises(queue.Full):
            call()
        assert sys.getrefcount(o) == before


@everything
def test_timeout_validation(make, capacity):
    q = make()
    with pytest.raises(ValueError):
        q.get(timeout=-1)
    with pytest.raises(ValueError):
        q.get(True, -0.5)
    with pytest.raises(ValueError):
        q.get(timeout=float("nan"))
    with pytest.raises(TypeError):
        q.get(timeout="1")
    with pytest.raises(ValueError):
        q.put(1, timeout=-1)
    assert len(q) == 0  # the failed put did not put
    # a huge timeout means "forever" and is not an error
    q.put(1, timeout=float("inf"))
    assert q.get(timeout=1e300) == 1


@everything
def test_argument_parsing(make, capacity):
    q = make()
    q.put(item=1)
    q.put(2, block=True)
    q.put(3, True, None)
    q.put(4, timeout=None, block=True)
    got = sorted(q.get(block=True, timeout=None) for _ in range(4))
    assert got == [1, 2, 3, 4]
    with pytest.raises(TypeError):
        q.put()
    with pytest.raises(TypeError):
        q.put(1, True, None, 4)
    with pytest.raises(TypeError):
        q.put(1, item=2)
    with pytest.raises(TypeError):
        q.put(1, bogus=2)
    with pytest.raises(TypeError):
        q.get(True, None, 3)
    with pytest.raises(TypeError):
        q.get(bogus=1)
    with pytest.raises(TypeError):
        q.get(True, block=True)
    with pytest.raises(TypeError):
        q.get_nowait(1)
    with pytest.raises(TypeError):
        q.put_nowait()
    assert len(q) == 0


# ---------------------------------------------------------------------------
# Blocking with other threads


def _later(delay, fn, *args):
    t = threading.Thread(target=lambda: (time.sleep(delay), fn(*args)), daemon=True)
    t.start()
    return t


@everything
def test_blocking_get_woken_by_put(make, capacity):
    q = make()
    t = _later(0.1, q.put, "hello")
    # Would time out (queue.Empty) if get held the GIL while it waits or
    # were not woken; the timeout only keeps a failure from hanging.
    assert q.get(timeout=30) == "hello"
    t.join()
    t = _later(0.05, q.put, "again")
    assert q.get() == "again"  # no timeout at all
    t.join()


@everything
def test_many_blocked_getters(make, capacity):
    q = make()
    results = []
    lock = threading.Lock()

    def getter():
        v = q.get(timeout=30)
        with lock:
            results.append(v)

    threads = [threading.Thread(target=getter) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    for i in range(6):
        q.put(i)
    for t in threads:
        t.join()
    assert sorted(results) == list(range(6))
    assert len(q) == 0


@bounded
def test_blocking_put_woken_by_get(make, capacity):
    q = make()
    for i in range(capacity):
        q.put(i)
    got = []
    t = _later(0.1, lambda: got.append(q.get()))
    q.put("last", timeout=30)  # queue.Full on timeout if never woken
    t.join()
    assert got == [0]
    assert [q.get() for _ in range(capacity)] == list(range(1, capacity)) + ["last"]
    # a blocked put without timeout
    for i in range(capacity):
        q.put(i)
    t = _later(0.05, q.get)
    q.put("x")
    t.join()
    assert len(q) == capacity


@bounded
def test_many_blocked_putters(make, capacity):
    q = make()
    for i in range(capacity):
        q.put(("pre", i))
    threads = [
        threading.Thread(target=q.put, args=(("t", i),), kwargs={"timeout": 30})
        for i in range(5)
    ]
    for t in threads:
        t.start()
    time.sleep(0.1)
    got = [q.get(timeout=30) for _ in range(capacity + 5)]
    for t in threads:
        t.join()
    assert got[:capacity] == [("pre", i) for i in range(capacity)]
    assert sorted(got[capacity:]) == [("t", i) for i in range(5)]
    assert q.empty()


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="needs the main thread"
)
def test_blocked_get_is_interruptible():
    import _thread

    q = cc.LockFreeQueue()
    timer = threading.Timer(0.1, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            q.get(timeout=20)
    finally:
        timer.cancel()
        timer.join()
    q2 = cc.LockFreeQueue(1)
    q2.put(0)
    timer = threading.Timer(0.1, _thread.interrupt_main)
    timer.start()
    o = Item()
    before = sys.getrefcount(o)
    try:
        with pytest.raises(KeyboardInterrupt):
            q2.put(o, timeout=20)
    finally:
        timer.cancel()
        timer.join()
    assert sys.getrefcount(o) == before
    assert q2.get_nowait() == 0 and q2.empty()


# ---------------------------------------------------------------------------
# Sizes, kinds, attributes


def test_maxsize_rounding():
    assert cc.LockFreeQueue().maxsize == 0
    assert cc.LockFreeQueue(0).maxsize == 0
    assert cc.LockFreeQueue(-5).maxsize == 0
    assert cc.LockFreeQueue(maxsize=1).maxsize == 1
    assert cc.LockFreeQueue(3).maxsize == 4
    assert cc.LockFreeQueue(1000).maxsize == 1024
    assert cc.LockFreeQueue(1024).maxsize == 1024
    assert cc.LockFreeQueue(1025).maxsize == 2048
    assert cc.WaitFreeQueue().maxsize == 1024
    assert cc.WaitFreeQueue(1).maxsize == 2
    assert cc.WaitFreeQueue(maxsize=5).maxsize == 8
    assert cc.FastQueue().maxsize == 0
    assert cc.LockFreeStack().maxsize == 0
    with pytest.raises(ValueError):
        cc.WaitFreeQueue(0)
    with pytest.raises(ValueError):
        cc.WaitFreeQueue(-1)
    with pytest.raises(ValueError):
        cc.LockFreeQueue(2**30 + 1)
    with pytest.raises(ValueError):
        cc.WaitFreeQueue(2**30 + 1)
    with pytest.raises(OverflowError):
        cc.LockFreeQueue(2**100)
    with pytest.raises(TypeError):
        cc.LockFreeQueue(1.5)
    with pytest.raises(TypeError):
        cc.FastQueue(1)
    with pytest.raises(TypeError):
        cc.LockFreeStack(False)  # keyword-only


@pytest.mark.parametrize(
    "make,capacity",
    [
        (lambda: cc.LockFreeQueue(1), 1),
        (lambda: cc.LockFreeQueue(3), 4),
        (lambda: cc.LockFreeQueue(100), 128),
        (lambda: cc.WaitFreeQueue(1), 2),
        (lambda: cc.WaitFreeQueue(3), 4),
        (lambda: cc.WaitFreeQueue(100), 128),
    ],
)
def test_capacity_is_the_rounded_maxsize(make, capacity):
    q = make()
    assert q.maxsize == capacity
    for i in range(capacity):
        q.put_nowait(i)
    assert q.full()
    with pytest.raises(queue.Full):
        q.put_nowait(-1)
    assert [q.get_nowait() for _ in range(capacity)] == list(range(capacity))
    assert q.empty() and not q.full()


def test_kind_names():
    assert cc.LockFreeQueue().kind == "lscq"
    assert cc.LockFreeQueue(8).kind == "scq"
    assert cc.FastQueue().kind in ("lcrq", "lscq")
    assert cc.WaitFreeQueue().kind == "wcq"
    assert cc.LockFreeStack().kind == "treiber"
    assert cc.LockFreeStack(elimination=True).kind == "treiber"
    assert cc.LockFreeStack(elimination=False).kind == "treiber-noelim"


@everything
def test_attributes_are_read_only(make, capacity):
    q = make()
    with pytest.raises(AttributeError):
        q.maxsize = 5
    with pytest.raises(AttributeError):
        q.kind = "x"


@everything
def test_len_qsize_empty_full(make, capacity):
    q = make()
    assert len(q) == 0 and q.qsize() == 0
    assert q.empty() and not q.full()
    assert not q
    for i in range(1, 11):
        q.put(i)
        assert len(q) == i and q.qsize() == i
        assert not q.empty()
        assert not q.full()
    assert q
    for i in range(9, -1, -1):
        q.get()
        assert len(q) == i and q.qsize() == i
    assert q.empty() and not q


def test_repr():
    assert repr(cc.LockFreeQueue()) == "LockFreeQueue(maxsize=0, kind='lscq')"
    assert repr(cc.LockFreeQueue(100)) == "LockFreeQueue(maxsize=128, kind='scq')"
    f = cc.FastQueue()
    assert repr(f) == f"FastQueue(maxsize=0, kind='{f.kind}')"
    assert repr(cc.WaitFreeQueue(3)) == "WaitFreeQueue(maxsize=4, kind='wcq')"
    assert repr(cc.LockFreeStack()) == "LockFreeStack(kind='treiber')"
    assert repr(cc.LockFreeStack(elimination=False)) == "LockFreeStack(kind='treiber-noelim')"


@pytest.mark.skipif(
    not sysconfig.get_config_var("Py_GIL_DISABLED") or "PYTHON_GIL" in os.environ,
    reason="free-threaded builds only",
)
def test_gil_stays_disabled():
    # The module declares Py_MOD_GIL_NOT_USED: importing it and using the
    # queues does not turn the GIL back on.
    q = cc.LockFreeQueue()
    q.put(1)
    assert q.get() == 1
    assert not sys._is_gil_enabled()


def test_module_of_the_types():
    for cls in (cc.LockFreeQueue, cc.FastQueue, cc.WaitFreeQueue, cc.LockFreeStack):
        assert cls.__module__ == "concurrent_collections"
        assert cls.__doc__
        assert cls.put.__doc__ and cls.get.__doc__


@everything
def test_pickle_and_copy_raise(make, capacity):
    q = make()
    q.put(1)
    name = type(q).__name__
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError, match=f"cannot pickle '{name}' object"):
            pickle.dumps(q, proto)
    with pytest.raises(TypeError):
        copy.copy(q)
    with pytest.raises(TypeError):
        copy.deepcopy(q)
    assert len(q) == 1


@everything
def test_weakref_and_generic_alias(make, capacity):
    q = make()
    r = weakref.ref(q)
    assert r() is q
    del q
    gc.collect()
    assert r() is None
    cls = type(make())
    alias = cls[int]
    assert alias.__origin__ is cls and alias.__args__ == (int,)


# ---------------------------------------------------------------------------
# References


@everything
def test_refcounts(make, capacity):
    q = make()
    o = Item()
    base = sys.getrefcount(o)
    q.put(o)
    assert sys.getrefcount(o) == base + 1
    q.put_nowait(o)
    assert sys.getrefcount(o) == base + 2
    x = q.get()
    assert x is o
    del x
    assert sys.getrefcount(o) == base + 1
    assert q.get_nowait() is o
    assert sys.getrefcount(o) == base
    # a blocking get that gets its item from another thread
    t = _later(0.05, q.put, o)
    assert q.get(timeout=30) is o
    t.join()
    assert sys.getrefcount(o) == base


@everything
def test_items_released_when_deleted(make, capacity):
    q = make()
    n = 100 if capacity else 10000  # unbounded: several rings
    items = [Item(i) for i in range(n)]
    refs = [weakref.ref(i) for i in items]
    for it in items:
        q.put(it)
    del items, it
    for _ in range(n // 3):
        q.get()
    gc.collect()
    assert sum(r() is not None for r in refs) == n - n // 3
    del q
    gc.collect()
    assert all(r() is None for r in refs)


def test_release_order_and_nesting():
    # Items dropped at deletion may run code (here: release nested queues).
    outer = cc.LockFreeQueue()
    inner_refs = []
    for _ in range(10):
        inner = cc.LockFreeStack()
        it = Item()
        inner_refs.append(weakref.ref(it))
        inner.push(it)
        outer.put(inner)
    del inner, it
    del outer
    gc.collect()
    assert all(r() is None for r in inner_refs)


# ---------------------------------------------------------------------------
# Subclassing


@pytest.mark.parametrize(
    "base", [cc.LockFreeQueue, cc.FastQueue, cc.WaitFreeQueue, cc.LockFreeStack]
)
def test_subclass(base):
    class Sub(base):
        def put_twice(self, x):
            self.put(x)
            self.put(x)

    s = Sub()
    assert isinstance(s, base)
    s.label = "mine"  # subclasses get a __dict__
    s.put_twice(7)
    assert len(s) == 2 and s.get() == 7 and s.get_nowait() == 7
    assert repr(s).startswith("Sub(")
    with pytest.raises(TypeError, match="cannot pickle 'Sub' object"):
        pickle.dumps(s)
    r = weakref.ref(s)
    o = Item()
    ro = weakref.ref(o)
    s.put(o)
    s.self_ref = s  # a cycle through the instance dict is collectable
    del s, o
    gc.collect()
    assert r() is None
    assert ro() is None


def test_subclass_with_its_own_constructor():
    # The constructor's arguments are read by __new__, so a subclass that
    # changes the signature overrides __new__ (as for tuple or frozenset).
    class Named(cc.LockFreeQueue):
        def __new__(cls, name, maxsize=0):
            self = super().__new__(cls, maxsize)
            self.name = name
            return self

    q = Named("jobs", maxsize=5)
    assert q.name == "jobs" and q.maxsize == 8 and q.kind == "scq"


# ---------------------------------------------------------------------------
# Model-based test against collections.deque


class _QueueMachine(RuleBasedStateMachine):
    """Drive one collection with random operations and compare with a deque.

    `make` builds the collection, `capacity` is its real capacity (None for
    unbounded) and `lifo` says it is the stack."""

    make = None
    capacity = None
    lifo = False

    def __init__(self):
        super().__init__()
        self.q = type(self).make()
        self.model = collections.deque()
        self.counter = 0

    def _new_item(self):
        self.counter += 1
        return Item(self.counter)

    def _expected_pop(self):
        return self.model.pop() if self.lifo else self.model.popleft()

    def _is_full(self):
        return self.capacity is not None and len(self.model) >= self.capacity

    @rule(how=st.sampled_from(["put", "put_nowait", "put_noblock", "push"]))
    def put(self, how):
        item = self._new_item()
        if how == "push" and not self.lifo:
            how = "put"
        if self._is_full():
            with pytest.raises(queue.Full):
                if how == "put":
                    self.q.put(item, timeout=0)
                elif how == "put_nowait":
                    self.q.put_nowait(item)
                else:
                    self.q.put(item, block=False)
            return
        if how == "put":
            self.q.put(item)
        elif how == "put_nowait":
            self.q.put_nowait(item)
        elif how == "push":
            self.q.push(item)
        else:
            self.q.put(item, block=False)
        self.model.append(item)

    @rule(n=st.integers(min_value=1, max_value=300))
    def put_many(self, n):
        for _ in range(n):
            if self._is_full():
                break
            item = self._new_item()
            self.q.put_nowait(item)
            self.model.append(item)

    @rule(how=st.sampled_from(["get", "get_nowait", "get_noblock", "pop"]))
    def get(self, how):
        if how == "pop" and not self.lifo:
            how = "get_nowait"
        if not self.model:
            exc = IndexError if how == "pop" else queue.Empty
            with pytest.raises(exc):
                if how == "get":
                    self.q.get(timeout=0)
                elif how == "get_nowait":
                    self.q.get_nowait()
                elif how == "pop":
                    self.q.pop()
                else:
                    self.q.get(block=False)
            return
        if how == "get":
            got = self.q.get()
        elif how == "get_nowait":
            got = self.q.get_nowait()
        elif how == "pop":
            got = self.q.pop()
        else:
            got = self.q.get(block=False)
        assert got is self._expected_pop()

    @precondition(lambda self: len(self.model) > 0)
    @rule(n=st.integers(min_value=1, max_value=300))
    def get_many(self, n):
        for _ in range(min(n, len(self.model))):
            assert self.q.get_nowait() is self._expected_pop()

    @invariant()
    def sizes_agree(self):
        n = len(self.model)
        assert len(self.q) == n
        assert self.q.qsize() == n
        assert self.q.empty() == (n == 0)
        assert self.q.full() == self._is_full()
        assert bool(self.q) == (n > 0)


_MACHINES = [
    ("LockFreeQueue", lambda: cc.LockFreeQueue(), None, False),
    ("LockFreeQueue1", lambda: cc.LockFreeQueue(1), 1, False),
    ("LockFreeQueue8", lambda: cc.LockFreeQueue(5), 8, False),
    ("FastQueue", lambda: cc.FastQueue(), None, False),
    ("WaitFreeQueue2", lambda: cc.WaitFreeQueue(1), 2, False),
    ("WaitFreeQueue16", lambda: cc.WaitFreeQueue(16), 16, False),
    ("LockFreeStack", lambda: cc.LockFreeStack(), None, True),
    ("LockFreeStackNoElim", lambda: cc.LockFreeStack(elimination=False), None, True),
]

for _name, _make, _cap, _lifo in _MACHINES:
    _machine = type(
        f"{_name}Machine",
        (_QueueMachine,),
        {"make": staticmethod(_make), "capacity": _cap, "lifo": _lifo},
    )
    _case = _machine.TestCase
    _case.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
    globals()[f"Test{_name}Model"] = _case
del _name, _make, _cap, _lifo, _machine, _case
