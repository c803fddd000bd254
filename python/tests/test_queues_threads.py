# SPDX-License-Identifier: BSD-3-Clause
"""Threaded stress tests of the queues and the stack: nothing lost, nothing
duplicated, per-producer FIFO order for the queues.

CONCOLL_TEST_SCALE (a float, default 1) scales the number of items."""

import collections
import gc
import os
import queue
import sys
import threading
import weakref

import pytest

import concurrent_collections as cc

SCALE = float(os.environ.get("CONCOLL_TEST_SCALE", "1"))
PER_PRODUCER = max(1, int(20000 * SCALE))
# Items per producer when every put or get may block (tiny capacity).
PER_PRODUCER_BLOCKING = max(1, int(5000 * SCALE))
# The longest a consumer waits for one item before it reports a loss
# (a failure rather than a hang).
PATIENCE = 60.0

QUEUES = {
    "LockFreeQueue()": lambda: cc.LockFreeQueue(),
    "LockFreeQueue(64)": lambda: cc.LockFreeQueue(64),
    "FastQueue()": lambda: cc.FastQueue(),
    "WaitFreeQueue(64)": lambda: cc.WaitFreeQueue(64),
    "WaitFreeQueue(4096)": lambda: cc.WaitFreeQueue(4096),
}
TINY_QUEUES = {
    "LockFreeQueue(2)": lambda: cc.LockFreeQueue(2),
    "WaitFreeQueue(2)": lambda: cc.WaitFreeQueue(2),
}
STACKS = {
    "LockFreeStack()": lambda: cc.LockFreeStack(),
    "LockFreeStack(elimination=False)": lambda: cc.LockFreeStack(elimination=False),
}
SHAPES = [(4, 4), (8, 8), (2, 6), (6, 2)]

DONE = object()  # the sentinel that stops a consumer


@pytest.fixture(autouse=True)
def fast_switching():
    """Switch threads often on GIL builds, for more interleavings."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(old)


def run_threads(targets):
    """Start one thread per target, wait for all, re-raise the first error."""
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # noqa: B902 - reported below
                errors.append(e)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    return threads, errors


def produce_consume(q, producers, consumers, per_producer, *, nowait_consumers=False):
    """Producers put (producer, seq) tuples; consumers get until they see the
    sentinel.  Returns the list of what each consumer got, in order."""
    got = [[] for _ in range(consumers)]
    start = threading.Barrier(producers + consumers)

    def producer(p):
        def run():
            start.wait()
            put = q.put
            for i in range(per_producer):
                put((p, i), timeout=PATIENCE)

        return run

    def consumer(c):
        def run():
            out = got[c]
            start.wait()
            if nowait_consumers and c % 2:
                # Poll without blocking.
                get = q.get_nowait
                while True:
                    try:
                        v = get()
                    except queue.Empty:
                        continue
                    if v is DONE:
                        return
                    out.append(v)
            else:
                get = q.get
                while True:
                    v = get(timeout=PATIENCE)  # queue.Empty here means a lost item
                    if v is DONE:
                        return
                    out.append(v)

        return run

    pthreads, perrors = run_threads([producer(p) for p in range(producers)])
    cthreads, cerrors = run_threads([consumer(c) for c in range(consumers)])
    for t in pthreads:
        t.join()
    for _ in range(consumers):
        q.put(DONE, timeout=PATIENCE)
    for t in cthreads:
        t.join()
    for e in perrors + cerrors:
        raise e
    # A queue hands out every item before the first sentinel (FIFO), so
    # nothing is left; a stack hands out the sentinels first (LIFO), and
    # what is left is drained here, as one more consumer.
    rest = []
    while True:
        try:
            rest.append(q.get_nowait())
        except queue.Empty:
            break
    assert DONE not in rest
    if isinstance(q, cc.LockFreeStack):
        got.append(rest)
    else:
        assert rest == [], f"{len(rest)} items left behind the sentinels of a FIFO queue"
    return got


def check_conservation(got, producers, per_producer):
    everything = [v for out in got for v in out]
    expected = [(p, i) for p in range(producers) for i in range(per_producer)]
    counts = collections.Counter(everything)
    dups = [v for v, n in counts.items() if n > 1]
    assert not dups, f"duplicated items: {dups[:10]}"
    missing = set(expected) - counts.keys()
    assert not missing, f"{len(missing)} items lost, e.g. {sorted(missing)[:10]}"
    extra = counts.keys() - set(expected)
    assert not extra, f"unexpected items: {sorted(extra)[:10]}"
    assert len(everything) == len(expected)


def check_per_producer_fifo(got, producers):
    # Linearizable FIFO: what one consumer takes from one producer comes in
    # the order it was put.
    for c, out in enumerate(got):
        last = [-1] * producers
        for p, i in out:
            assert i > last[p], f"consumer {c} got ({p}, {i}) after ({p}, {last[p]})"
            last[p] = i


@pytest.mark.parametrize("shape", SHAPES, ids=[f"{p}p{c}c" for p, c in SHAPES])
@pytest.mark.parametrize("make", list(QUEUES.values()), ids=list(QUEUES))
def test_queue_mpmc(make, shape):
    producers, consumers = shape
    q = make()
    got = produce_consume(q, producers, consumers, PER_PRODUCER)
    check_conservation(got, producers, PER_PRODUCER)
    check_per_producer_fifo(got, producers)
    assert len(q) == 0 and q.empty()
    with pytest.raises(queue.Empty):
        q.get_nowait()


@pytest.mark.parametrize("make", list(QUEUES.values()), ids=list(QUEUES))
def test_queue_mpmc_polling_consumers(make):
    q = make()
    got = produce_consume(q, 4, 4, PER_PRODUCER // 2, nowait_consumers=True)
    check_conservation(got, 4, PER_PRODUCER // 2)
    check_per_producer_fifo(got, 4)
    assert len(q) == 0


@pytest.mark.parametrize("shape", [(4, 4), (8, 8)], ids=["4p4c", "8p8c"])
@pytest.mark.parametrize("make", list(TINY_QUEUES.values()), ids=list(TINY_QUEUES))
def test_tiny_bounded_queue_blocking_both_ways(make, shape):
    # Capacity 2: producers block on full, consumers on empty, all the time.
    producers, consumers = shape
    q = make()
    got = produce_consume(q, producers, consumers, PER_PRODUCER_BLOCKING)
    check_conservation(got, producers, PER_PRODUCER_BLOCKING)
    check_per_producer_fifo(got, producers)
    assert len(q) == 0


@pytest.mark.parametrize("shape", [(4, 4), (8, 8)], ids=["4p4c", "8p8c"])
@pytest.mark.parametrize("make", list(STACKS.values()), ids=list(STACKS))
def test_stack_mpmc(make, shape):
    producers, consumers = shape
    s = make()
    got = produce_consume(s, producers, consumers, PER_PRODUCER)
    check_conservation(got, producers, PER_PRODUCER)
    assert len(s) == 0
    with pytest.raises(IndexError):
        s.pop()


@pytest.mark.parametrize("make", list(STACKS.values()), ids=list(STACKS))
def test_stack_push_pop_pairs(make):
    # Every thread pushes then pops (the elimination pattern); each thread's
    # pops never fail while the stack holds at least its own pushes.
    s = make()
    threads_n, rounds = 8, PER_PRODUCER // 4
    popped = [[] for _ in range(threads_n)]
    start = threading.Barrier(threads_n)

    def worker(t):
        def run():
            start.wait()
            out = popped[t]
            for i in range(rounds):
                s.push((t, i))
                out.append(s.pop())

        return run

    threads, errors = run_threads([worker(t) for t in range(threads_n)])
    for th in threads:
        th.join()
    for e in errors:
        raise e
    check_conservation(popped, threads_n, rounds)
    assert len(s) == 0


@pytest.mark.parametrize(
    "make", list(QUEUES.values()) + list(STACKS.values()), ids=list(QUEUES) + list(STACKS)
)
def test_refcount_conserved_under_threads(make):
    # The same object put and got by many threads: its reference count comes
    # back to where it was (no reference lost or leaked in a race).
    q = make()
    obj = object()
    base = sys.getrefcount(obj)
    threads_n, rounds = 8, PER_PRODUCER // 4
    start = threading.Barrier(threads_n)

    def worker():
        start.wait()
        for _ in range(rounds):
            q.put(obj, timeout=PATIENCE)
            assert q.get(timeout=PATIENCE) is obj

    threads, errors = run_threads([worker] * threads_n)
    for th in threads:
        th.join()
    for e in errors:
        raise e
    assert len(q) == 0
    assert sys.getrefcount(obj) == base


def test_objects_shared_by_many_queues_are_released():
    # Objects left in queues that threads abandon are released when the
    # queues go away.
    class Item:
        pass

    items = [Item() for _ in range(1000)]
    refs = [weakref.ref(i) for i in items]
    qs = [cc.LockFreeQueue(), cc.FastQueue(), cc.WaitFreeQueue(2048), cc.LockFreeStack()]
    start = threading.Barrier(4)

    def filler(q, objs):
        def run():
            start.wait()
            for it in objs:
                q.put(it)

        return run

    threads, errors = run_threads([filler(q, items) for q in qs])
    for th in threads:
        th.join()
    for e in errors:
        raise e
    assert [len(q) for q in qs] == [1000] * 4
    del items, threads
    gc.collect()
    assert all(r() is not None for r in refs)
    del qs
    gc.collect()
    assert all(r() is None for r in refs)
