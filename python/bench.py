#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Throughput of the concurrent_collections classes against the usual
Python choices, on GIL and free-threaded interpreters.

    python3 python/bench.py [--threads 1,2,4,8] [--n 1000000] [--duration S]
                            [--only maps|queues] [--json FILE] [--seed N]

Maps: N random int keys (drawn from range(2N)) are loaded first; then every
thread runs the same operation mix on its own random key stream (keys from
range(2N), so about half the lookups hit at the start):
  get    100% m.get(k)
  mixed   90% m.get(k), 10% m[k] = k
  put    100% m[k] = k
on SkipListMap (backends lockfree and locked), sortedcontainers.SortedDict
and dict, each of the last two behind one threading.Lock, and a plain dict
(unordered, no lock: a reference point, since its single operations are
atomic in CPython).

Queues: every thread repeats put(x) then get() (the stack: push then pop)
on a queue that holds 1024 items to start with, so that it is never empty.
Each put and each get counts as one operation.

The threads start together on a barrier and run for --duration seconds; a
result is the operations of all threads divided by the wall-clock time from
the barrier to the end of the last thread, in millions of operations per
second (M ops/s).
"""

import argparse
import collections
import json
import os
import platform
import queue
import random
import sys
import sysconfig
import threading
import time

# python/ holds the package's sources, which have no extension unless it was
# built in place: look for the package on PYTHONPATH and in site-packages
# first, then here.
_HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _HERE:
    sys.path.append(sys.path.pop(0))

import concurrent_collections as cc  # noqa: E402

perf_counter = time.perf_counter

CHUNK = 100  # operations between two looks at the clock: CHUNKS_PER_PASS x CHUNK
CHUNKS_PER_PASS = 10
STREAM_PASSES = 64  # passes in a thread's key stream, which then repeats (64,000 keys)
QUEUE_PREFILL = 1024
BOUNDED_CAPACITY = 1 << 16

MAP_WORKLOADS = {  # name: (gets per chunk, puts per chunk)
    "get": (CHUNK, 0),
    "mixed": (CHUNK * 9 // 10, CHUNK // 10),
    "put": (0, CHUNK),
}


def gil_enabled():
    return getattr(sys, "_is_gil_enabled", lambda: True)()


# ---- running threads ----------------------------------------------------------------------


def run_threads(nthreads, duration, body, thread_args):
    """Run body(deadline, *thread_args[i]) in nthreads threads started on a
    barrier; body returns its operation count.  Returns (ops, seconds)."""
    barrier = threading.Barrier(nthreads + 1)
    counts = [0] * nthreads
    errors = []

    def thread_main(i, args):
        try:
            barrier.wait()
            counts[i] = body(perf_counter() + duration, *args)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=thread_main, args=(i, thread_args[i]))
               for i in range(nthreads)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = perf_counter()
    for t in threads:
        t.join()
    seconds = perf_counter() - t0
    if errors:
        raise errors[0]
    return sum(counts), seconds


# ---- maps -------------------------------------------------------------------------------------


def map_loop(deadline, get, put, stream):
    """The operations of one thread on a map without a lock."""
    ops = 0
    per_pass = CHUNK * CHUNKS_PER_PASS
    clock = perf_counter
    while True:
        for chunk in stream:
            for gets, puts in chunk:
                for k in gets:
                    get(k)
                for k in puts:
                    put(k, k)
            ops += per_pass
            if clock() >= deadline:
                return ops


def locked_map_loop(deadline, get, put, stream, lock):
    """The same, each operation under a lock."""
    ops = 0
    per_pass = CHUNK * CHUNKS_PER_PASS
    clock = perf_counter
    while True:
        for chunk in stream:
            for gets, puts in chunk:
                for k in gets:
                    with lock:
                        get(k)
                for k in puts:
                    with lock:
                        put(k, k)
            ops += per_pass
            if clock() >= deadline:
                return ops


def make_stream(seed, keyspace, n_get, n_put):
    """A thread's random keys: STREAM_PASSES passes of CHUNKS_PER_PASS chunks
    of (get keys, put keys)."""
    rnd = random.Random(seed)
    rand = rnd.randrange
    return [[(tuple(rand(keyspace) for _ in range(n_get)),
              tuple(rand(keyspace) for _ in range(n_put)))
             for _ in range(CHUNKS_PER_PASS)]
            for _ in range(STREAM_PASSES)]


def map_structures(keys):
    """(label, factory) pairs; a factory returns (get, put, lock or None)."""
    out = []
    for backend in ("lockfree", "locked"):
        def make(backend=backend):
            m = cc.SkipListMap(zip(keys, keys), backend=backend)
            return m, m.get, m.__setitem__, None
        out.append((f"SkipListMap(backend={backend!r})", make))
    try:
        from sortedcontainers import SortedDict
    except ImportError:
        print("sortedcontainers is not installed: SortedDict skipped "
              "(pip install sortedcontainers, or apt-get install python3-sortedcontainers)",
              file=sys.stderr)
    else:
        def make_sorted():
            d = SortedDict(zip(keys, keys))
            return d, d.get, d.__setitem__, threading.Lock()
        out.append(("SortedDict + Lock", make_sorted))

    def make_dict_locked():
        d = dict(zip(keys, keys))
        return d, d.get, d.__setitem__, threading.Lock()

    def make_dict():
        d = dict(zip(keys, keys))
        return d, d.get, d.__setitem__, None

    out.append(("dict + Lock (unordered)", make_dict_locked))
    out.append(("dict, no lock (unordered)", make_dict))
    return out


def bench_maps(args, report):
    n = args.n
    keyspace = 2 * n
    rnd = random.Random(args.seed)
    t = perf_counter()
    keys = rnd.sample(range(keyspace), n)
    streams = {w: [make_stream(f"{args.seed}-{w}-{i}", keyspace, g, p)
                   for i in range(max(args.threads))]
               for w, (g, p) in MAP_WORKLOADS.items()}
    print(f"maps: {n} random keys from range({keyspace}); key streams ready in "
          f"{perf_counter() - t:.1f} s", flush=True)
    structures = map_structures(keys)
    results = {w: {} for w in MAP_WORKLOADS}
    for label, factory in structures:
        t = perf_counter()
        obj, get, put, lock = factory()
        print(f"  {label}: loaded in {perf_counter() - t:.1f} s", flush=True)
        for workload in MAP_WORKLOADS:
            for nthreads in args.threads:
                if lock is None:
                    ops, secs = run_threads(nthreads, args.duration, map_loop,
                                            [(get, put, s) for s in streams[workload]])
                else:
                    ops, secs = run_threads(nthreads, args.duration, locked_map_loop,
                                            [(get, put, s, lock) for s in streams[workload]])
                results[workload].setdefault(label, {})[nthreads] = ops / secs / 1e6
                report.append({"group": "maps", "workload": workload, "structure": label,
                               "threads": nthreads, "ops": ops, "seconds": secs,
                               "mops": ops / secs / 1e6})
        del obj, get, put
        cc.reclaim()
    for workload, (g, p) in MAP_WORKLOADS.items():
        title = f"maps, {workload}: {100 * g // CHUNK}% get, {100 * p // CHUNK}% put, M ops/s"
        print_table(title, results[workload], args.threads)


# ---- queues -----------------------------------------------------------------------------------


def pair_loop(deadline, put, get):
    """put then get, repeated: two operations a pair."""
    ops = 0
    clock = perf_counter
    item = object()
    per_pass = 2 * CHUNK * CHUNKS_PER_PASS
    rng = range(CHUNK * CHUNKS_PER_PASS)
    while True:
        for _ in rng:
            put(item)
            get()
        ops += per_pass
        if clock() >= deadline:
            return ops


def queue_structures():
    """(label, factory) pairs; a factory returns (object, put, get)."""

    def ours(make):
        def factory():
            q = make()
            return q, q.put, q.get
        return factory

    def stack(elimination):
        def factory():
            s = cc.LockFreeStack(elimination=elimination)
            return s, s.push, s.pop
        return factory

    def std_queue():
        q = queue.Queue()
        return q, q.put, q.get

    def simple_queue():
        q = queue.SimpleQueue()
        return q, q.put, q.get

    def deque():
        d = collections.deque()
        return d, d.append, d.popleft

    return [
        ("LockFreeQueue()", ours(cc.LockFreeQueue)),
        (f"LockFreeQueue({BOUNDED_CAPACITY})", ours(lambda: cc.LockFreeQueue(BOUNDED_CAPACITY))),
        ("FastQueue()", ours(cc.FastQueue)),
        (f"WaitFreeQueue({BOUNDED_CAPACITY})", ours(lambda: cc.WaitFreeQueue(BOUNDED_CAPACITY))),
        ("LockFreeStack()", stack(True)),
        ("LockFreeStack(elimination=False)", stack(False)),
        ("queue.Queue", std_queue),
        ("queue.SimpleQueue", simple_queue),
        ("collections.deque", deque),
    ]


def bench_queues(args, report):
    results = {}
    for label, factory in queue_structures():
        obj, put, get = factory()
        kind = getattr(obj, "kind", None)
        row = f"{label} [{kind}]" if kind else label
        for i in range(QUEUE_PREFILL):
            put(i)
        for nthreads in args.threads:
            ops, secs = run_threads(nthreads, args.duration, pair_loop, [(put, get)] * nthreads)
            results.setdefault(row, {})[nthreads] = ops / secs / 1e6
            report.append({"group": "queues", "workload": "put+get pairs", "structure": row,
                           "threads": nthreads, "ops": ops, "seconds": secs,
                           "mops": ops / secs / 1e6})
        print(f"  {row}: done", flush=True)
        del obj, put, get
    cc.reclaim()
    print_table("queues: put+get pairs (each put and each get is one operation), M ops/s",
                results, args.threads)


# ---- output -----------------------------------------------------------------------------------


def print_table(title, rows, threads):
    width = max([len(r) for r in rows] + [9])
    print()
    print(title)
    print(f"{'threads':<{width}}" + "".join(f"{t:>10}" for t in threads))
    for label, cells in rows.items():
        print(f"{label:<{width}}" + "".join(f"{cells[t]:>10.2f}" for t in threads))
    sys.stdout.flush()


def parse_threads(text):
    try:
        threads = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of thread counts: {text!r}")
    if not threads or min(threads) < 1:
        raise argparse.ArgumentTypeError("thread counts must be positive")
    return threads


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 2)[2])
    p.add_argument("--threads", type=parse_threads, default=[1, 2, 4, 8],
                   help="thread counts, comma-separated (default 1,2,4,8)")
    p.add_argument("--n", type=int, default=1_000_000,
                   help="keys loaded into each map (default 1000000)")
    p.add_argument("--duration", type=float, default=1.0,
                   help="seconds per measurement (default 1)")
    p.add_argument("--only", choices=("maps", "queues"), help="run one group only")
    p.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = p.parse_args(argv)
    if args.n < 1 or args.duration <= 0:
        p.error("--n and --duration must be positive")

    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    print(f"Python {sys.version}")
    print(f"implementation {platform.python_implementation()}, "
          f"free-threaded build: {'yes' if free_threaded else 'no'}, "
          f"GIL enabled: {'yes' if gil_enabled() else 'no'}, os.cpu_count(): {os.cpu_count()}")
    print(f"libconcoll {cc.library_version}; threads {','.join(map(str, args.threads))}; "
          f"{args.duration:g} s per measurement", flush=True)
    report = []
    if args.only in (None, "maps"):
        bench_maps(args, report)
    if args.only in (None, "queues"):
        bench_queues(args, report)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version, "free_threaded": free_threaded,
                       "gil_enabled": gil_enabled(), "cpu_count": os.cpu_count(),
                       "library_version": cc.library_version, "n": args.n,
                       "duration": args.duration, "threads": args.threads,
                       "results": report}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
