# SPDX-License-Identifier: BSD-3-Clause
"""Concurrent collections for Python, backed by libconcoll.

Ordered maps and sets (lock-free or fine-grained locked skip lists), their
frozen snapshots, MPMC queues and a lock-free stack.  Every class may be
shared by threads without a lock; the module does not need the GIL on
free-threaded CPython.
"""

import pickle as _pickle
import reprlib as _reprlib
from collections.abc import (ItemsView as _ItemsView, KeysView as _KeysView,
                             Mapping as _Mapping, MutableMapping as _MutableMapping,
                             MutableSet as _MutableSet, Set as _Set,
                             ValuesView as _ValuesView)

from . import _concoll
from ._concoll import (FastQueue, LockFreeQueue, LockFreeStack, WaitFreeQueue,
                       library_version, reclaim)

__all__ = [
    "SkipListMap", "SkipListSet", "FrozenSkipListMap", "FrozenSkipListSet",
    "LockFreeQueue", "FastQueue", "WaitFreeQueue", "LockFreeStack",
    "reclaim", "library_version",
]
__version__ = "0.1.0"

# libconcoll's range flags (concoll/map.h) and the _irange modes
_LO, _LO_EXCL, _HI, _HI_EXCL, _DESC = 0x1, 0x2, 0x4, 0x8, 0x10
_KEYS, _VALUES, _ITEMS = 0, 1, 2


def _flags(lo, hi, lo_incl, hi_incl, reverse):
    f = 0
    if lo is not None:
        f |= _LO if lo_incl else _LO | _LO_EXCL
    if hi is not None:
        f |= _HI if hi_incl else _HI | _HI_EXCL
    if reverse:
        f |= _DESC
    return f


def _check_key_picklable(obj):
    key = obj.key
    if key is None:
        return
    try:
        _pickle.dumps(key)
    except Exception as e:
        raise TypeError(f"cannot pickle {type(obj).__name__}: its key function {key!r} "
                        f"cannot be pickled ({e})") from e


_MISSING = object()


def _mapping_eq(a, b):
    """Mapping equality without hashing the keys (they may be unhashable)."""
    if len(a) != len(b):
        return False
    for k, v in a.items():
        ov = b.get(k, _MISSING)
        if ov is _MISSING or not (ov is v or ov == v):
            return False
    return True


def _rebuild(cls, contents, key, backend):
    if backend is None:
        return cls(contents, key=key)
    return cls(contents, key=key, backend=backend)


# ---- views -------------------------------------------------------------------

class _Items(_ItemsView):
    __slots__ = ()

    def __iter__(self):
        return self._mapping._irange(None, None, 0, _ITEMS)

    def __reversed__(self):
        return self._mapping._irange(None, None, _DESC, _ITEMS)


class _Values(_ValuesView):
    __slots__ = ()

    def __iter__(self):
        return self._mapping._irange(None, None, 0, _VALUES)

    def __reversed__(self):
        return self._mapping._irange(None, None, _DESC, _VALUES)


class _Keys(_KeysView):
    __slots__ = ()

    def __reversed__(self):
        return reversed(self._mapping)


class _OrderedMixin:
    """Methods shared by the maps and sets, mutable and frozen."""

    __slots__ = ()

    def irange(self, minimum=None, maximum=None, inclusive=(True, True), reverse=False):
        """Iterate over the keys from minimum to maximum (None: unbounded),
        inclusive as a pair of booleans, descending when reverse."""
        return self._irange(minimum, maximum,
                            _flags(minimum, maximum, inclusive[0], inclusive[1], reverse),
                            _KEYS)


class _MapMixin(_OrderedMixin):
    __slots__ = ()

    def keys(self):
        return _Keys(self)

    def items(self):
        return _Items(self)

    def values(self):
        return _Values(self)

    def head_map(self, to_key, inclusive=False):
        """A live view of the entries with keys below to_key (or equal when inclusive)."""
        return _RangeMap(self, None, to_key, True, inclusive)

    def tail_map(self, from_key, inclusive=True):
        """A live view of the entries with keys above from_key (or equal when inclusive)."""
        return _RangeMap(self, from_key, None, inclusive, True)

    def sub_map(self, from_key, to_key, from_inclusive=True, to_inclusive=False):
        """A live view of the entries with keys between from_key and to_key."""
        return _RangeMap(self, from_key, to_key, from_inclusive, to_inclusive)

    def __eq__(self, other):
        # Mapping.__eq__ builds dicts: it would need hashable keys
        if not isinstance(other, _Mapping):
            return NotImplemented
        if isinstance(other, _MapMixin) and other.key is self.key:
            if len(self) != len(other):
                return False
            for (k, v), (ok, ov) in zip(self.items(), other.items()):
                if not (k is ok or k == ok) or not (v is ov or v == ov):
                    return False
            return True
        return _mapping_eq(self, other)

    __hash__ = None

    @_reprlib.recursive_repr()
    def __repr__(self):
        body = "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "}"
        if self.key is not None:
            return f"{type(self).__name__}({body}, key={self.key!r})"
        return f"{type(self).__name__}({body})"


class _SetMixin(_OrderedMixin):
    __slots__ = ()

    def head_set(self, to, inclusive=False):
        """A live view of the elements below to (or equal when inclusive)."""
        return _RangeSet(self, None, to, True, inclusive)

    def tail_set(self, frm, inclusive=True):
        """A live view of the elements above frm (or equal when inclusive)."""
        return _RangeSet(self, frm, None, inclusive, True)

    def sub_set(self, frm, to, from_inclusive=True, to_inclusive=False):
        """A live view of the elements between frm and to."""
        return _RangeSet(self, frm, to, from_inclusive, to_inclusive)

    def _from_iterable(self, it):
        return type(self)(it, key=self.key)

    @_reprlib.recursive_repr()
    def __repr__(self):
        body = "[" + ", ".join(repr(x) for x in self) + "]"
        if self.key is not None:
            return f"{type(self).__name__}({body}, key={self.key!r})"
        return f"{type(self).__name__}({body})"


# ---- the mutable collections ----------------------------------------------------

class SkipListMap(_MapMixin, _concoll.SkipListMap, _MutableMapping):
    """A concurrent ordered map.

    SkipListMap(items=None, /, *, key=None, backend="auto")

    Single-key operations, pops and setdefault are atomic; iteration is
    weakly consistent (never fails because of concurrent updates, yields
    each key at most once, in order); len() is exact when no update runs
    concurrently.  backend: "lockfree" (Fraser's skip list), "locked"
    (fine-grained locks) or "auto".
    """

    __slots__ = ()

    def __init__(self, items=None, /, *, key=None, backend="auto"):
        if items is not None:
            self.update(items)

    def copy(self):
        return type(self)(self.items(), key=self.key, backend=self.backend)

    __copy__ = copy

    def __reduce__(self):
        _check_key_picklable(self)
        return (_rebuild, (type(self), list(self.items()), self.key, self.backend))


class SkipListSet(_SetMixin, _concoll.SkipListSet, _MutableSet):
    """A concurrent ordered set.

    SkipListSet(iterable=None, /, *, key=None, backend="auto")
    """

    __slots__ = ()

    def __init__(self, iterable=None, /, *, key=None, backend="auto"):
        if iterable is not None:
            add = self.add
            for x in iterable:
                add(x)

    def _from_iterable(self, it):
        return type(self)(it, key=self.key, backend=self.backend)

    def copy(self):
        return self._from_iterable(self)

    __copy__ = copy

    def __reduce__(self):
        _check_key_picklable(self)
        return (_rebuild, (type(self), list(self), self.key, self.backend))


# ---- the frozen snapshots -------------------------------------------------------------

class FrozenSkipListMap(_MapMixin, _concoll.FrozenSkipListMap, _Mapping):
    """An immutable, hashable sorted map: SkipListMap.freeze() or
    FrozenSkipListMap(items=None, /, *, key=None)."""

    __slots__ = ()

    def __eq__(self, other):
        r = _concoll.FrozenSkipListMap.__eq__(self, other)
        return _MapMixin.__eq__(self, other) if r is NotImplemented else r

    __hash__ = _concoll.FrozenSkipListMap.__hash__

    def thaw(self, backend="auto"):
        """A new SkipListMap holding the same entries."""
        return SkipListMap(self.items(), key=self.key, backend=backend)

    def copy(self):
        return self

    __copy__ = copy

    def __reduce__(self):
        _check_key_picklable(self)
        return (_rebuild, (type(self), list(self.items()), self.key, None))


class FrozenSkipListSet(_SetMixin, _concoll.FrozenSkipListSet, _Set):
    """An immutable, hashable sorted set: SkipListSet.freeze() or
    FrozenSkipListSet(iterable=None, /, *, key=None).  It hashes like a
    frozenset with the same elements, to which it compares equal."""

    __slots__ = ()

    def __eq__(self, other):
        r = _concoll.FrozenSkipListSet.__eq__(self, other)
        return _Set.__eq__(self, other) if r is NotImplemented else r

    def __hash__(self):
        return self._hash()

    # the C base's comparison slots would answer NotImplemented
    __le__, __lt__, __ge__, __gt__ = _Set.__le__, _Set.__lt__, _Set.__ge__, _Set.__gt__

    def thaw(self, backend="auto"):
        """A new SkipListSet holding the same elements."""
        return SkipListSet(self, key=self.key, backend=backend)

    def copy(self):
        return self

    __copy__ = copy

    def __reduce__(self):
        _check_key_picklable(self)
        return (_rebuild, (type(self), list(self), self.key, None))


_concoll._register_frozen(FrozenSkipListMap, FrozenSkipListSet)


# ---- range views -----------------------------------------------------------------------

class _Range:
    """Bounds on the keys of a collection, checked with its order."""

    __slots__ = ("_c", "_lo", "_hi", "_lo_incl", "_hi_incl")

    def __init__(self, c, lo, hi, lo_incl, hi_incl):
        self._c, self._lo, self._hi = c, lo, hi
        self._lo_incl, self._hi_incl = lo_incl, hi_incl

    def _in_range(self, k):
        kf = self._c.key
        s = kf(k) if kf else k
        if self._lo is not None:
            lo = kf(self._lo) if kf else self._lo
            if s < lo or (not self._lo_incl and not lo < s):
                return False
        if self._hi is not None:
            hi = kf(self._hi) if kf else self._hi
            if hi < s or (not self._hi_incl and not s < hi):
                return False
        return True

    def _it(self, mode, reverse=False):
        return self._c._irange(self._lo, self._hi,
                               _flags(self._lo, self._hi, self._lo_incl, self._hi_incl, reverse),
                               mode)

    def __iter__(self):
        return self._it(_KEYS)

    def __reversed__(self):
        return self._it(_KEYS, True)

    def __len__(self):
        """Counts the entries in the range (O(n), weakly consistent)."""
        n = 0
        for _ in self._it(_KEYS):
            n += 1
        return n

    def __contains__(self, k):
        return self._in_range(k) and k in self._c

    def irange(self, minimum=None, maximum=None, inclusive=(True, True), reverse=False):
        """irange() of the keys within both this view's range and the given one."""
        return iter([k for k in self._c.irange(minimum, maximum, inclusive, reverse)
                     if self._in_range(k)])


class _RangeMap(_Range, _Mapping):
    """A live view of the entries of a map within a range of keys."""

    __slots__ = ()

    def __getitem__(self, k):
        if not self._in_range(k):
            raise KeyError(k)
        return self._c[k]

    def items(self):
        return _RangeItems(self)

    def values(self):
        return _RangeValues(self)

    def __repr__(self):
        return f"{type(self._c).__name__}.range_view({dict(self.items())!r})"


class _RangeItems(_ItemsView):
    __slots__ = ()

    def __iter__(self):
        return self._mapping._it(_ITEMS)


class _RangeValues(_ValuesView):
    __slots__ = ()

    def __iter__(self):
        return self._mapping._it(_VALUES)


class _RangeSet(_Range, _Set):
    """A live view of the elements of a set within a range."""

    __slots__ = ()

    @classmethod
    def _from_iterable(cls, it):
        return set(it)

    def __repr__(self):
        return f"{type(self._c).__name__}.range_view({list(self)!r})"


from . import recipes  # noqa: E402  (it imports SkipListMap from here)
