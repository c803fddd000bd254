# SPDX-License-Identifier: BSD-3-Clause
"""Recipes built on the concurrent collections, in pure Python.

They use only the public API of the classes they are built on, and serve
both as ready-made tools and as examples.

BoundedSkipListMap
    A SkipListMap that holds at most ``maxlen`` entries: inserting a new key
    into a full map raises MapFull, or first evicts the least or the greatest
    entry, as its policy says.
MapFull
    The exception that a full BoundedSkipListMap with the "reject" policy
    raises.
"""

import collections.abc as _abc
import copy as _copy
import operator as _operator
import pickle as _pickle
import reprlib as _reprlib
import threading as _threading
import time as _time

from . import SkipListMap as _SkipListMap
from . import _mapping_eq

__all__ = ["BoundedSkipListMap", "MapFull"]

_MISSING = object()
_POLICIES = ("reject", "evict_first", "evict_last")


class MapFull(Exception):
    """A new key did not fit into a full BoundedSkipListMap.

    Raised by the insertions (``m[k] = v``, setdefault(), update(), the
    constructor) of a map whose policy is "reject" when the key is not in
    the map and the map already holds ``maxlen`` entries.  The map is
    unchanged.  The attribute ``key`` is the key that was refused.
    """

    def __init__(self, message, key=None):
        super().__init__(message)
        self.key = key

    def __reduce__(self):
        return (type(self), (self.args[0] if self.args else "", self.key))


class _Cell:
    """The value of one entry: the inner map maps every key to its own cell.

    A cell is created for each insertion of a new key and never inserted
    twice, so that ``inner.setdefault(key, cell) is cell`` tells for sure
    whether this call inserted the key.  Replacing the value of a present
    key writes into its cell, under the lock, unless the cell is dead: its
    entry was removed, and the remover took its last value.
    """

    __slots__ = ("value", "dead")

    def __init__(self, value):
        self.value = value
        self.dead = False


class _ValuesView(_abc.ValuesView):
    """The values of a map whose inner map holds cells."""

    __slots__ = ()

    def __iter__(self):
        for cell in self._mapping._map.values():
            yield cell.value

    def __contains__(self, value):
        for v in self:
            if v is value or v == value:
                return True
        return False


class _ItemsView(_abc.ItemsView):
    """The (key, value) pairs of a map whose inner map holds cells."""

    __slots__ = ()

    def __iter__(self):
        for key, cell in self._mapping._map.items():
            yield (key, cell.value)

    def __contains__(self, item):
        key, value = item
        cell = self._mapping._map.get(key)
        if cell is None:
            return False
        v = cell.value
        return v is value or v == value


class _CellReader:
    """The read side shared by the map and its range views: self._map maps
    each key to its _Cell."""

    __slots__ = ()

    def __getitem__(self, key):
        cell = self._map.get(key)
        if cell is None:
            raise KeyError(key)
        return cell.value

    def get(self, key, default=None):
        cell = self._map.get(key)
        return default if cell is None else cell.value

    def __contains__(self, key):
        return key in self._map

    def __iter__(self):
        return iter(self._map)

    def __reversed__(self):
        return reversed(self._map)

    def __len__(self):
        return len(self._map)

    def values(self):
        return _ValuesView(self)

    def items(self):
        return _ItemsView(self)

    def __eq__(self, other):
        if not isinstance(other, _abc.Mapping):
            return NotImplemented
        return _mapping_eq(self, other)

    __hash__ = None


class _RangeView(_CellReader, _abc.Mapping):
    """A live range of a BoundedSkipListMap (head_map, tail_map, sub_map).

    Read-only, like the range views of SkipListMap that it wraps: it shows
    the entries of the map whose keys are in the range, as they are when it
    is read.
    """

    __slots__ = ("_map",)

    def __init__(self, view):
        self._map = view

    @_reprlib.recursive_repr()
    def __repr__(self):
        body = ", ".join(f"{k!r}: {v!r}" for k, v in self.items())
        return f"BoundedSkipListMap.range_view({{{body}}})"


def _rebuild(cls, maxlen, items, key, backend, policy, on_evict):
    """Unpickle a BoundedSkipListMap."""
    self = cls(maxlen, key=key, backend=backend, policy=policy, on_evict=on_evict)
    self._fill(items)
    return self


class BoundedSkipListMap(_CellReader, _abc.MutableMapping):
    """BoundedSkipListMap(maxlen, items=None, /, *, key=None, backend="auto",
    policy="reject", on_evict=None)

    A concurrent ordered map, a SkipListMap, that holds at most ``maxlen``
    entries.  Inserting a NEW key into a full map:

    * policy "reject" (the default) raises MapFull and leaves the map
      unchanged;
    * policy "evict_first" removes the least entry, then inserts the key;
    * policy "evict_last" removes the greatest entry, then inserts the key.

    The new key is always stored, even when it is less (evict_first) or
    greater (evict_last) than every key in the map.  Replacing the value of
    a key that is in the map never evicts.  ``on_evict(key, value)``, when
    given, is called for every evicted entry, in the thread that inserted,
    after the insertion, without any lock held; an exception it raises
    propagates to the caller of the insertion, which has happened.

    ``items``, ``key`` and ``backend`` are those of SkipListMap; the
    entries of ``items`` are inserted one by one, under the policy.

    Thread safety: every method may be called from any number of threads.
    The number of entries never exceeds ``maxlen``, at any moment: an
    insertion of a new key reserves a slot (a counter under a lock, held
    only for the arithmetic) before the key becomes visible, and a removal
    returns its slot after the key is gone.  When no call is in progress the
    number of slots taken equals len().  Each removed entry goes to exactly
    one place: the caller of pop(), del, popitem(), pop_first(),
    pop_last(), or on_evict.  Lookups, iteration and navigation are those
    of the inner SkipListMap: lock-free and weakly consistent.

    Under concurrency an eviction is decided when the insertion finds no
    free slot; if a removal in another thread frees a slot meanwhile, or
    another thread inserts the same key first (the insertion then replaces
    its value), the eviction has happened anyway and the map is left with a
    free slot.  Sequentially the map evicts exactly when the rules above
    say.  A comparison that raises (unorderable keys) propagates and leaves
    the map unchanged, checked before anything is evicted; only a
    comparison that fails after the eviction, against a key that another
    thread inserted meanwhile, leaves that entry evicted (it is reported to
    on_evict).

    It is not a SkipListMap subclass: it wraps one (composition), so that
    no inherited method can insert behind the bound.  Values are stored in
    small cells inside the inner map; the methods unwrap them.
    """

    __slots__ = ("_map", "_maxlen", "_policy", "_on_evict", "_lock", "_count", "__weakref__")

    def __init__(self, maxlen, items=None, /, *, key=None, backend="auto", policy="reject",
                 on_evict=None):
        maxlen = _operator.index(maxlen)
        if maxlen < 1:
            raise ValueError(f"maxlen must be at least 1, not {maxlen}")
        if policy not in _POLICIES:
            raise ValueError(f"policy must be one of {', '.join(map(repr, _POLICIES))}, "
                             f"not {policy!r}")
        if on_evict is not None and not callable(on_evict):
            raise TypeError(f"on_evict must be callable or None, not {type(on_evict).__name__}")
        self._map = _SkipListMap(key=key, backend=backend)
        self._maxlen = maxlen
        self._policy = policy
        self._on_evict = on_evict
        self._lock = _threading.Lock()
        self._count = 0  # slots taken: entries present plus insertions in progress
        if items is not None:
            self.update(items)

    # -- properties ---------------------------------------------------------

    @property
    def maxlen(self):
        """The largest number of entries (an int, at least 1)."""
        return self._maxlen

    @property
    def policy(self):
        """"reject", "evict_first" or "evict_last"."""
        return self._policy

    @property
    def on_evict(self):
        """The eviction callback, or None."""
        return self._on_evict

    @property
    def key(self):
        """The key function, or None for the natural order."""
        return self._map.key

    @property
    def backend(self):
        """"lockfree" or "locked": the backend of the inner SkipListMap."""
        return self._map.backend

    # -- slot accounting ----------------------------------------------------

    def _reserve(self, key, evicted):
        """Take a slot for a new key, evicting under an evict policy.

        Appends the evicted (key, value), if any, to ``evicted``; raises
        MapFull under the reject policy."""
        lock = self._lock
        while True:
            with lock:
                if self._count < self._maxlen:
                    self._count += 1
                    return
            if self._policy == "reject":
                raise MapFull(f"BoundedSkipListMap is full (maxlen={self._maxlen}): "
                              f"cannot insert the new key {key!r}", key)
            try:
                if self._policy == "evict_first":
                    vkey, vcell = self._map.pop_first()
                else:
                    vkey, vcell = self._map.pop_last()
            except KeyError:
                # Every slot is taken by an insertion in progress in another
                # thread: its key becomes visible, or its slot free, soon.
                _time.sleep(0)
                continue
            with lock:
                vcell.dead = True
                value = vcell.value
                # The slot of the evicted entry passes to this insertion.
            evicted.append((vkey, value))
            return

    def _release(self):
        with self._lock:
            self._count -= 1

    def _take(self, cell):
        """Account for the removal of the entry of ``cell``; its value."""
        with self._lock:
            cell.dead = True
            value = cell.value
            self._count -= 1
        return value

    def _report(self, evicted):
        on_evict = self._on_evict
        if on_evict is not None:
            for key, value in evicted:
                on_evict(key, value)

    # -- insertion ----------------------------------------------------------

    def _put(self, key, value, absent_only):
        """m[key] = value, or setdefault(key, value) when absent_only.

        Returns the value the key maps to after the call."""
        evicted = []
        try:
            return self._put_loop(key, value, absent_only, evicted)
        finally:
            if evicted:
                self._report(evicted)

    def _put_loop(self, key, value, absent_only, evicted):
        inner = self._map
        lock = self._lock
        cell = None
        # Looking the key up first checks that it compares with the keys
        # (an exception leaves everything unchanged) and spares replacements
        # a reservation.
        cur = inner.get(key)
        while True:
            if cur is not None:
                if absent_only:
                    return cur.value
                old = _MISSING
                with lock:
                    if not cur.dead:
                        old = cur.value
                        cur.value = value
                if old is not _MISSING:
                    return value  # old is dropped now, outside the lock
                # Removed meanwhile: look again.
                cur = inner.get(key)
                continue
            self._reserve(key, evicted)
            if cell is None:
                cell = _Cell(value)
            try:
                cur = inner.setdefault(key, cell)
            except BaseException:
                self._release()
                raise
            if cur is cell:
                return value
            # Another thread inserted the key first: replace its value.
            self._release()

    def _fill(self, items):
        """Insert the (key, value) pairs of a new, unshared map, in order,
        up to maxlen of them, without the policy or the callback."""
        inner = self._map
        for key, value in items:
            cur = inner.get(key)
            if cur is not None:
                cur.value = value  # an equal key again: the last value wins
            elif self._count < self._maxlen:
                inner[key] = _Cell(value)
                self._count += 1

    def __setitem__(self, key, value):
        self._put(key, value, False)

    def setdefault(self, key, default=None):
        """The value of key; when the key is absent, insert it with default
        first (atomic, under the policy)."""
        return self._put(key, default, True)

    # -- removal ------------------------------------------------------------

    def __delitem__(self, key):
        cell = self._map.pop(key, None)
        if cell is None:
            raise KeyError(key)
        self._take(cell)

    def pop(self, key, default=_MISSING):
        """Remove key and return its value (atomic); default, or KeyError
        without one, when the key is absent."""
        cell = self._map.pop(key, None)
        if cell is None:
            if default is _MISSING:
                raise KeyError(key)
            return default
        return self._take(cell)

    def pop_first(self):
        """Remove and return the least (key, value); KeyError when empty."""
        key, cell = self._map.pop_first()
        return (key, self._take(cell))

    def pop_last(self):
        """Remove and return the greatest (key, value); KeyError when empty."""
        key, cell = self._map.pop_last()
        return (key, self._take(cell))

    def popitem(self):
        """Remove and return the least (key, value); KeyError when empty."""
        return self.pop_first()

    def clear(self):
        """Remove every entry (weakly consistent, like SkipListMap.clear():
        keys inserted meanwhile may stay)."""
        inner = self._map
        for key in inner:
            cell = inner.pop(key, None)
            if cell is not None:
                self._take(cell)

    # -- lookup and iteration -----------------------------------------------

    # -- navigation ---------------------------------------------------------

    def floor_key(self, key, default=None):
        return self._map.floor_key(key, default)

    def ceiling_key(self, key, default=None):
        return self._map.ceiling_key(key, default)

    def lower_key(self, key, default=None):
        return self._map.lower_key(key, default)

    def higher_key(self, key, default=None):
        return self._map.higher_key(key, default)

    def floor_item(self, key, default=None):
        item = self._map.floor_item(key, None)
        return default if item is None else (item[0], item[1].value)

    def ceiling_item(self, key, default=None):
        item = self._map.ceiling_item(key, None)
        return default if item is None else (item[0], item[1].value)

    def lower_item(self, key, default=None):
        item = self._map.lower_item(key, None)
        return default if item is None else (item[0], item[1].value)

    def higher_item(self, key, default=None):
        item = self._map.higher_item(key, None)
        return default if item is None else (item[0], item[1].value)

    def first_key(self):
        return self._map.first_key()

    def last_key(self):
        return self._map.last_key()

    def first_item(self):
        key, cell = self._map.first_item()
        return (key, cell.value)

    def last_item(self):
        key, cell = self._map.last_item()
        return (key, cell.value)

    def irange(self, minimum=None, maximum=None, inclusive=(True, True), reverse=False):
        return self._map.irange(minimum, maximum, inclusive, reverse)

    def head_map(self, to_key, inclusive=False):
        return _RangeView(self._map.head_map(to_key, inclusive))

    def tail_map(self, from_key, inclusive=True):
        return _RangeView(self._map.tail_map(from_key, inclusive))

    def sub_map(self, from_key, to_key, from_inclusive=True, to_inclusive=False):
        return _RangeView(self._map.sub_map(from_key, to_key, from_inclusive, to_inclusive))

    # -- copies, snapshots, comparison, pickling ------------------------------

    def freeze(self):
        """A FrozenSkipListMap of the entries (a weakly consistent copy)."""
        return _SkipListMap(self.items(), key=self._map.key).freeze()

    def copy(self):
        """A new BoundedSkipListMap with the same maxlen, policy, key,
        backend, on_evict and entries.  Nothing is evicted or reported:
        should a copy made during concurrent updates see more than maxlen
        entries, it keeps the maxlen least."""
        new = self.__class__(self._maxlen, key=self._map.key, backend=self._map.backend,
                             policy=self._policy, on_evict=self._on_evict)
        new._fill(self.items())
        return new

    __copy__ = copy

    def __deepcopy__(self, memo):
        new = self.__class__(self._maxlen, key=self._map.key, backend=self._map.backend,
                             policy=self._policy, on_evict=self._on_evict)
        memo[id(self)] = new
        new._fill(_copy.deepcopy(list(self.items()), memo))
        return new

    def __reduce_ex__(self, protocol):
        for name, fn in (("key function", self._map.key), ("on_evict callback", self._on_evict)):
            if fn is None:
                continue
            try:
                _pickle.dumps(fn, protocol)
            except Exception as exc:
                raise TypeError(f"cannot pickle {type(self).__name__}: its {name} {fn!r} "
                                f"cannot be pickled ({exc})") from exc
        return (_rebuild, (self.__class__, self._maxlen, list(self.items()), self._map.key,
                           self._map.backend, self._policy, self._on_evict))

    @_reprlib.recursive_repr()
    def __repr__(self):
        body = ", ".join(f"{k!r}: {v!r}" for k, v in self.items())
        extra = f", policy={self._policy!r}"
        if self._map.key is not None:
            extra += f", key={self._map.key!r}"
        return f"{type(self).__name__}({self._maxlen!r}, {{{body}}}{extra})"
