# SPDX-License-Identifier: BSD-3-Clause
"""Stateful property tests: SkipListMap / SkipListSet against dict and
sortedcontainers.SortedDict / SortedSet models."""

import os

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sortedcontainers import SortedDict, SortedSet

import concurrent_collections as cc

EXAMPLES = int(50 * float(os.environ.get("CONCOLL_TEST_SCALE", "1")))

ints = st.integers(min_value=-40, max_value=40)
# numbers of several classes that compare with each other: ints (immediate
# and big), floats
numbers = st.one_of(ints, st.integers(min_value=2**62 - 3, max_value=2**62 + 3),
                    st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(min_value=-50, max_value=50, allow_nan=False).map(lambda f: f or 0.0))
texts = st.text(alphabet="ab\u00e9\U0001F600\x00", max_size=10)
values = st.integers()


def _nav(model, op, k):
    keys = model.keys()
    if op == "floor":
        i = model.bisect_right(k) - 1
    elif op == "lower":
        i = model.bisect_left(k) - 1
    elif op == "ceiling":
        i = model.bisect_left(k)
    else:
        i = model.bisect_right(k)
    return keys[i] if 0 <= i < len(keys) else None


def make_map_machine(keys, backend, key=None):
    class MapMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.m = cc.SkipListMap(key=key, backend=backend)
            self.model = SortedDict(key) if key else SortedDict()

        @rule(k=keys, v=values)
        def put(self, k, v):
            self.m[k] = v
            if k in self.model:
                self.model[k] = v
            else:
                self.model[k] = v

        @rule(k=keys)
        def delete(self, k):
            if k in self.model:
                del self.m[k]
                del self.model[k]
            else:
                with pytest.raises(KeyError):
                    del self.m[k]

        @rule(k=keys, d=values)
        def pop(self, k, d):
            assert self.m.pop(k, d) == self.model.pop(k, d)

        @rule(k=keys, d=values)
        def setdefault(self, k, d):
            assert self.m.setdefault(k, d) == self.model.setdefault(k, d)

        @rule(k=keys)
        def get(self, k):
            assert self.m.get(k, "absent") == self.model.get(k, "absent")
            assert (k in self.m) == (k in self.model)

        @rule(k=keys, op=st.sampled_from(["floor", "lower", "ceiling", "higher"]))
        def navigate(self, k, op):
            want = _nav(self.model, op, k)
            got = getattr(self.m, op + "_key")(k)
            assert got == want
            if want is not None:
                assert getattr(self.m, op + "_item")(k) == (want, self.model[want])

        @precondition(lambda self: len(self.model) > 0)
        @rule(last=st.booleans())
        def pop_end(self, last):
            got = self.m.pop_last() if last else self.m.pop_first()
            assert got == self.model.popitem(-1 if last else 0)

        @rule(lo=st.none() | keys, hi=st.none() | keys, li=st.booleans(), hi_=st.booleans(),
              rev=st.booleans())
        def irange(self, lo, hi, li, hi_, rev):
            got = list(self.m.irange(lo, hi, (li, hi_), rev))
            want = list(self.model.irange(lo, hi, (li, hi_), rev))
            assert got == want

        @rule()
        def freeze(self):
            f = self.m.freeze()
            assert list(f.items()) == list(self.model.items())

        @invariant()
        def same_contents(self):
            assert len(self.m) == len(self.model)
            assert list(self.m.items()) == list(self.model.items())

        def teardown(self):
            self.m.clear()
            assert len(self.m) == 0

    MapMachine.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=40,
                                            deadline=None)
    return MapMachine


TestIntMapLockfree = make_map_machine(ints, "lockfree").TestCase
TestIntMapLocked = make_map_machine(ints, "locked").TestCase
TestNumberMap = make_map_machine(numbers, "lockfree").TestCase
TestTextMap = make_map_machine(texts, "locked").TestCase
TestBytesMap = make_map_machine(st.binary(max_size=10), "lockfree").TestCase
TestKeyFuncMap = make_map_machine(ints, "lockfree", key=lambda k: -k).TestCase


class SetMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.s = cc.SkipListSet()
        self.model = SortedSet()

    @rule(k=texts)
    def add(self, k):
        self.s.add(k)
        self.model.add(k)

    @rule(k=texts)
    def discard(self, k):
        self.s.discard(k)
        self.model.discard(k)

    @precondition(lambda self: len(self.model) > 0)
    @rule()
    def pop(self):
        assert self.s.pop() == self.model.pop(0)

    @rule(k=texts, op=st.sampled_from(["floor", "lower", "ceiling", "higher"]))
    def navigate(self, k, op):
        keys = self.model
        i = {"floor": keys.bisect_right(k) - 1, "lower": keys.bisect_left(k) - 1,
             "ceiling": keys.bisect_left(k), "higher": keys.bisect_right(k)}[op]
        want = keys[i] if 0 <= i < len(keys) else None
        assert getattr(self.s, op)(k) == want

    @invariant()
    def same(self):
        assert list(self.s) == list(self.model)
        assert list(reversed(self.s)) == list(reversed(self.model))


SetMachine.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=40,
                                        deadline=None)
TestSet = SetMachine.TestCase
