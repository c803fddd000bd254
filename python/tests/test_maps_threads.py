# SPDX-License-Identifier: BSD-3-Clause
"""Threaded stress of the ordered collections (8 to 16 threads on however
many cores there are): nothing lost or duplicated, order holds."""

import os
import threading

import pytest

import concurrent_collections as cc

SCALE = float(os.environ.get("CONCOLL_TEST_SCALE", "1"))
BACKENDS = ["lockfree", "locked"]


def n(base):
    return max(1, int(base * SCALE))


def run_threads(count, target, *args):
    errors = []
    barrier = threading.Barrier(count)

    def wrap(i):
        try:
            barrier.wait()
            target(i, *args)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    ts = [threading.Thread(target=wrap, args=(i,)) for i in range(count)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("threads", [8, 16])
def test_disjoint_inserts_and_removes(backend, threads):
    m = cc.SkipListMap(backend=backend)
    per = n(2000)

    def work(i):
        keys = range(i, per * threads, threads)
        for k in keys:
            m[k] = i
        for k in keys:
            if k % 3 == 0:
                assert m.pop(k) == i
        for k in keys:
            assert (k in m) == (k % 3 != 0)

    run_threads(threads, work)
    want = [k for k in range(per * threads) if k % 3]
    assert list(m) == want and len(m) == len(want)
    assert all(m[k] == k % threads for k in want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pop_first_consumers_take_each_key_once(backend):
    m = cc.SkipListMap(backend=backend)
    producers, consumers, per = 4, 4, n(3000)
    taken = [[] for _ in range(consumers)]
    done = threading.Event()

    def work(i):
        if i < producers:
            for j in range(per):
                m[(j, i)] = i  # tuple keys: compared by Python
            return
        out = taken[i - producers]
        while True:
            try:
                k, v = m.pop_first()
            except KeyError:
                if done.is_set() and len(m) == 0:
                    return
                continue
            assert v == k[1]
            out.append(k)

    def producers_then_flag(i):
        work(i)
        if i < producers:
            finished.append(i)
            if len(finished) == producers:
                done.set()

    finished = []
    run_threads(producers + consumers, producers_then_flag)
    got = [k for t in taken for k in t]
    assert len(got) == len(set(got)) == producers * per  # none twice
    assert set(got) == {(j, i) for i in range(producers) for j in range(per)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_readers_see_ordered_snapshots_while_writers_churn(backend):
    m = cc.SkipListMap(backend=backend)
    stable = list(range(0, n(4000), 4))  # never touched by the writers
    for k in stable:
        m[k] = "stable"
    stop = threading.Event()
    writers = 3

    def work(i):
        if i < writers:
            r = i + 1  # keys k % 4 == r never collide with the stable ones
            for rnd in range(n(20)):
                for k in range(r, n(4000), 4):
                    m[k] = rnd
                for k in range(r, n(4000), 4):
                    del m[k]
            if i == 0:
                stop.set()
            return
        while not stop.is_set():
            prev = None
            seen_stable = []
            for k, v in m.items():
                assert prev is None or prev < k  # in order, no duplicate
                prev = k
                if k % 4 == 0:
                    assert v == "stable"
                    seen_stable.append(k)
            assert seen_stable == stable  # present throughout: always seen
            rev = list(reversed(m))
            assert rev == sorted(rev, reverse=True)
            f = m.freeze()
            assert list(f.irange(None, None)) == sorted(f) and len(f) >= len(stable)

    run_threads(writers + 5, work)
    assert list(m) == stable


@pytest.mark.parametrize("backend", BACKENDS)
def test_setdefault_race_one_winner(backend):
    m = cc.SkipListMap(backend=backend)
    threads, keys = 8, n(2000)
    results = [None] * threads

    def work(i):
        results[i] = [m.setdefault(k, i) for k in range(keys)]

    run_threads(threads, work)
    for k in range(keys):
        winner = m[k]
        assert all(r[k] == winner for r in results)


@pytest.mark.parametrize("backend", BACKENDS)
def test_set_add_discard_conservation(backend):
    s = cc.SkipListSet(backend=backend)
    threads, per = 8, n(2000)
    added = [0] * threads
    removed = [0] * threads

    def work(i):
        for j in range(per):
            k = f"k{(j * 7 + i) % 500:04d}"
            if (j + i) % 2:
                if k not in s:
                    s.add(k)
                    added[i] += 1
            else:
                try:
                    s.remove(k)
                    removed[i] += 1
                except KeyError:
                    pass

    run_threads(threads, work)
    items = list(s)
    assert items == sorted(set(items))
    # every successful remove took an element that an add put in
    assert sum(removed) <= sum(added)
