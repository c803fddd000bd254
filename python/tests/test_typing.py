# SPDX-License-Identifier: BSD-3-Clause
"""The type stubs (*.pyi, PEP 561) against the runtime package, and mypy.

1. Every public name of the modules and classes has a stub entry, and every
   name a stub declares exists at runtime (the stubs are parsed with ast and
   compared with dir() of a freshly imported package).
2. Where the runtime exposes a signature (inspect.signature), no stub
   overload accepts a call that the runtime refuses: keyword names, number
   of positional arguments, required arguments.
3. The stubs and py.typed are installed next to the package.
4. mypy --strict accepts a typed usage sample (which also runs) and reports
   the expected errors in a sample of misuses.  mypy is required: Debian
   package "mypy" (python3-mypy) or pip's mypy.
"""

import ast
import builtins
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import pytest

import concurrent_collections as cc
import concurrent_collections._concoll as _concoll
import concurrent_collections.recipes as recipes

SRC = Path(__file__).resolve().parent.parent  # python/
PKG_DIR = SRC / "concurrent_collections"
STUBS = {
    "concurrent_collections": PKG_DIR / "__init__.pyi",
    "concurrent_collections._concoll": PKG_DIR / "_concoll.pyi",
    "concurrent_collections.recipes": PKG_DIR / "recipes.pyi",
}
RUNTIME = {
    "concurrent_collections": cc,
    "concurrent_collections._concoll": _concoll,
    "concurrent_collections.recipes": recipes,
}

# Dunder methods that type checkers use for protocols and operators: the
# stub of a class must declare (or inherit) each one that the class has.
PROTOCOL_DUNDERS = {
    "__len__", "__iter__", "__next__", "__reversed__", "__contains__", "__getitem__",
    "__setitem__", "__delitem__", "__and__", "__or__", "__sub__", "__xor__", "__enter__",
    "__exit__", "__copy__", "__deepcopy__", "__call__",
}

# Instances of the runtime classes, to read the signatures of bound methods.
INSTANCES = {
    "SkipListMap": lambda: cc.SkipListMap(),
    "SkipListSet": lambda: cc.SkipListSet(),
    "FrozenSkipListMap": lambda: cc.FrozenSkipListMap(),
    "FrozenSkipListSet": lambda: cc.FrozenSkipListSet(),
    "LockFreeQueue": lambda: cc.LockFreeQueue(),
    "FastQueue": lambda: cc.FastQueue(),
    "WaitFreeQueue": lambda: cc.WaitFreeQueue(),
    "LockFreeStack": lambda: cc.LockFreeStack(),
    "_RangeMap": lambda: cc.SkipListMap().head_map(0),
    "_RangeSet": lambda: cc.SkipListSet().head_set(0),
    "BoundedSkipListMap": lambda: recipes.BoundedSkipListMap(1),
    "_RangeView": lambda: recipes.BoundedSkipListMap(1).head_map(0),
    "MapFull": lambda: recipes.MapFull("full"),
    "SkipListIterator": lambda: iter(cc.SkipListMap()),
    "FrozenSkipListIterator": lambda: iter(cc.FrozenSkipListMap()),
}
RAW_INSTANCES = {  # the C bases in _concoll
    "SkipListMap": lambda: _concoll.SkipListMap(),
    "SkipListSet": lambda: _concoll.SkipListSet(),
    "FrozenSkipListMap": lambda: _concoll.FrozenSkipListMap(),
    "FrozenSkipListSet": lambda: _concoll.FrozenSkipListSet(),
}


# ---- reading the stubs -------------------------------------------------------------


class Stub:
    """One parsed .pyi file."""

    def __init__(self, module, path):
        self.module = module
        self.path = path
        self.tree = ast.parse(path.read_text(), filename=str(path))
        self.names = {}  # public or declared name -> node
        self.classes = {}
        self.imports = {}  # local name -> (absolute module, attribute or None)
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
                self.names[node.name] = node
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.names[node.name] = node
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                self.names[node.target.id] = node
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.names[t.id] = node
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(node)
                for alias in node.names:
                    local = alias.asname or alias.name
                    self.imports[local] = (base, alias.name)
                    # PEP 484: "from m import x as x" re-exports x.
                    if alias.asname == alias.name:
                        self.names[local] = node
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name
                    self.imports[local] = (alias.name, None)
                    if alias.asname == alias.name:
                        self.names[local] = node

    def _absolute(self, node):
        if not node.level:
            return node.module
        package = self.module if self.path.name == "__init__.pyi" else self.module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        return f"{package}.{node.module}" if node.module else package

    def public_names(self):
        return {n for n in self.names if not n.startswith("_")}

    def all_list(self):
        node = self.names.get("__all__")
        return None if node is None else ast.literal_eval(node.value)


STUB = {mod: Stub(mod, path) for mod, path in STUBS.items()}


def lookup(module, name):
    """The stub class or the runtime object that name denotes in a stub."""
    stub = STUB[module]
    if name in stub.classes:
        return ("stub", module, stub.classes[name])
    if name in stub.imports:
        mod, attr = stub.imports[name]
        if attr is not None and mod in STUB:
            return lookup(mod, attr)
        if attr is not None and f"{mod}.{attr}" in STUB:
            return ("module", f"{mod}.{attr}", None)
        obj = __import__(mod, fromlist=["_"])
        return ("runtime", mod, getattr(obj, attr) if attr else obj)
    if hasattr(builtins, name):
        return ("runtime", "builtins", getattr(builtins, name))
    raise LookupError(f"{module}: cannot resolve {name!r}")


def base_name(expr):
    """The name of a base class expression: Mapping[_K, _V] -> 'Mapping'."""
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        return f"{expr.value.id}.{expr.attr}"
    raise LookupError(f"unsupported base class expression {ast.dump(expr)}")


def own_members(cls_node):
    """The names a stub class body declares, with their nodes (a name with
    overloads maps to the list of its definitions)."""
    members = {}
    for node in cls_node.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            members.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            members.setdefault(node.target.id, []).append(node)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    members.setdefault(t.id, []).append(node)
    return members


def stub_members(module, cls_node):
    """Every name a stub class declares or inherits."""
    names = set(own_members(cls_node))
    for b in cls_node.bases:
        name = base_name(b)
        if "." in name:
            head, attr = name.split(".", 1)
            kind, mod, obj = lookup(module, head)
            assert kind == "module", f"{module}.{cls_node.name}: base {name}"
            kind, mod, obj = lookup(mod, attr)
        else:
            kind, mod, obj = lookup(module, name)
        if kind == "stub":
            names |= stub_members(mod, obj)
        elif obj is typing.Generic:
            continue
        else:
            names |= set(dir(obj))
    return names


def stub_classes():
    for module, stub in STUB.items():
        for name, node in stub.classes.items():
            yield pytest.param(module, name, node, id=f"{module}.{name}")


# ---- the runtime, freshly imported --------------------------------------------------------

FRESH = r"""
import json, sys
import concurrent_collections as cc
out = {"concurrent_collections": sorted(dir(cc))}
import concurrent_collections._concoll as c
import concurrent_collections.recipes as r
out["concurrent_collections._concoll"] = sorted(dir(c))
out["concurrent_collections.recipes"] = sorted(dir(r))
out["__all__"] = {m.__name__: getattr(m, "__all__", None) for m in (cc, c, r)}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def fresh():
    """dir() of the modules in a new interpreter: what `import
    concurrent_collections` alone provides."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    r = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


# ---- 1. names ------------------------------------------------------------------------------


def test_py_typed_marker():
    marker = PKG_DIR / "py.typed"
    assert marker.is_file()
    assert marker.read_bytes() == b""


@pytest.mark.parametrize("module", list(STUBS))
def test_stub_compiles(module):
    compile(STUB[module].tree, str(STUBS[module]), "exec")


@pytest.mark.parametrize("module", list(STUBS))
def test_module_names(module, fresh):
    runtime = {n for n in fresh[module] if not n.startswith("_")}
    stub = STUB[module].public_names()
    missing = sorted(runtime - stub)
    assert not missing, f"public names of {module} missing from its stub: {missing}"
    extra = sorted(stub - runtime)
    assert not extra, f"names in the stub of {module} that `import {module}` lacks: {extra}"
    declared_dunders = {n for n in STUB[module].names if n.startswith("__") and n.endswith("__")}
    assert declared_dunders <= set(fresh[module]), "dunder names the runtime lacks"


@pytest.mark.parametrize("module", list(STUBS))
def test_module_all(module, fresh):
    assert STUB[module].all_list() == fresh["__all__"][module]


@pytest.mark.parametrize("module", list(STUBS))
def test_stub_private_classes_exist(module):
    for name in STUB[module].classes:
        assert hasattr(RUNTIME[module], name), f"{module}.{name} is in the stub only"


def defines(cls, name):
    """The class (not its metaclass) has the attribute, and it is not None."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name] is not None
    return False


@pytest.mark.parametrize("module, name, node", stub_classes())
def test_class_members(module, name, node):
    cls = getattr(RUNTIME[module], name)
    assert isinstance(cls, type)
    covered = stub_members(module, node)
    runtime_public = {n for n in dir(cls) if not n.startswith("_")}
    assert not runtime_public - covered, f"{module}.{name}: members missing from the stub"
    protocol = {n for n in PROTOCOL_DUNDERS if defines(cls, n)}
    assert not protocol - covered, f"{module}.{name}: protocol methods missing from the stub"
    own = own_members(node)
    instance = INSTANCES[name]() if name in INSTANCES and not module.endswith("._concoll") else None
    lacking = set()
    for n, defs in own.items():
        if hasattr(cls, n):
            continue
        # An instance attribute ("key: Any" in the class body).
        if instance is not None and all(isinstance(d, ast.AnnAssign) for d in defs) \
                and hasattr(instance, n):
            continue
        lacking.add(n)
    assert not lacking, f"{module}.{name}: the stub declares members the class lacks"
    if not defines(cls, "__hash__"):
        # Unhashable at runtime: the stub must say so (Mapping and Set do
        # not), so that type checkers refuse hash(x) and {x: ...}.
        assert "__hash__" in own, f"{module}.{name}: unhashable, stub lacks __hash__: ClassVar[None]"


@pytest.mark.parametrize("module, name, node", stub_classes())
def test_generic_classes_are_subscriptable(module, name, node):
    """A class generic in its stub can be subscripted at runtime, so that
    annotations like LockFreeQueue[int] also work when evaluated."""
    params = set()
    for b in node.bases:
        if isinstance(b, ast.Subscript):
            params.add(ast.unparse(b.slice))
    if not params:
        return
    reexported = STUB["concurrent_collections"].imports.get(name) == (module, name)
    if module.endswith("._concoll") and not reexported:
        return  # the C bases of the public classes: not for annotations
    cls = getattr(RUNTIME[module], name)
    arity = max(len(p.split(",")) for p in params)
    alias = cls[(int,) * arity if arity > 1 else int]
    assert typing.get_origin(alias) is cls


# ---- 2. signatures -------------------------------------------------------------------------


def _decorators(fn):
    return {ast.unparse(d) for d in fn.decorator_list}


def check_shape(where, fn, sig, drop_first):
    """Fail when the stub function fn accepts a call that sig refuses."""
    a = fn.args
    posonly = [p.arg for p in a.posonlyargs]
    normal = [p.arg for p in a.args]
    if drop_first:
        (posonly if posonly else normal).pop(0)
    n_pos_defaults = len(a.defaults)
    positional = posonly + normal
    stub_required_pos = len(positional) - n_pos_defaults
    kwonly = [p.arg for p in a.kwonlyargs]
    kwonly_required = {p for p, d in zip(kwonly, a.kw_defaults) if d is None}
    by_keyword = normal + kwonly

    params = list(sig.parameters.values())
    P = inspect.Parameter
    rt_var_pos = any(p.kind is P.VAR_POSITIONAL for p in params)
    rt_var_kw = any(p.kind is P.VAR_KEYWORD for p in params)
    rt_positional = [p for p in params if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
    rt_keyword = {p.name for p in params if p.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)}
    problems = []
    for name in by_keyword:
        if name not in rt_keyword and not rt_var_kw:
            problems.append(f"argument {name!r} may be passed by keyword in the stub only")
    if a.vararg is not None and not rt_var_pos:
        problems.append("*args in the stub only")
    if a.kwarg is not None and not rt_var_kw:
        problems.append("**kwargs in the stub only")
    if not rt_var_pos and len(positional) > len(rt_positional):
        problems.append(f"the stub takes {len(positional)} positional arguments, "
                        f"the runtime {len(rt_positional)}")
    rt_required_posonly = [p for p in rt_positional
                           if p.kind is P.POSITIONAL_ONLY and p.default is P.empty]
    if len(rt_required_posonly) > stub_required_pos:
        problems.append("the runtime requires more positional arguments")
    for p in params:
        if p.default is not P.empty or p.kind in (P.VAR_POSITIONAL, P.VAR_KEYWORD):
            continue
        if p.kind is P.KEYWORD_ONLY and p.name not in kwonly_required:
            problems.append(f"the runtime requires the keyword argument {p.name!r}")
        if p.kind is P.POSITIONAL_OR_KEYWORD:
            i = [q.name for q in rt_positional].index(p.name)
            if i >= stub_required_pos and p.name not in kwonly_required:
                problems.append(f"the runtime requires argument {p.name!r}")
    assert not problems, f"{where}{sig}: " + "; ".join(problems)


def runtime_signature(obj):
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize("module, name, node", stub_classes())
def test_method_signatures(module, name, node):
    cls = getattr(RUNTIME[module], name)
    factories = RAW_INSTANCES if module.endswith("_concoll") and name in RAW_INSTANCES \
        else INSTANCES
    instance = factories[name]() if name in factories else None
    for member, defs in own_members(node).items():
        for fn in defs:
            if not isinstance(fn, ast.FunctionDef):
                continue
            decos = _decorators(fn)
            if "property" in decos or any(d.endswith(".setter") for d in decos):
                continue
            if member == "__init__":
                sig = runtime_signature(cls)
            elif member.startswith("__"):
                continue  # slot wrappers: no useful signature
            elif "staticmethod" in decos:
                sig = runtime_signature(getattr(cls, member))
            elif instance is not None or "classmethod" in decos:
                sig = runtime_signature(getattr(instance if instance is not None else cls, member))
            else:
                pytest.fail(f"no instance of {name} to read the signatures from (INSTANCES)")
            if sig is None:
                continue
            check_shape(f"{module}.{name}.{member}", fn, sig, drop_first="staticmethod" not in decos)


@pytest.mark.parametrize("module", list(STUBS))
def test_function_signatures(module):
    stub = STUB[module]
    for name, node in stub.names.items():
        if isinstance(node, ast.FunctionDef):
            sig = runtime_signature(getattr(RUNTIME[module], name))
            if sig is not None:
                check_shape(f"{module}.{name}", node, sig, drop_first=False)


def test_signature_checker_catches_mismatches():
    """The checker itself: stub shapes that the runtime refuses."""
    def f(a, b=1, /, *, c=None):
        pass

    sig = inspect.signature(f)

    def stub(src):
        return ast.parse(textwrap.dedent(src)).body[0]

    check_shape("ok", stub("def f(a, b=1, /, *, c=None): ..."), sig, False)
    check_shape("ok", stub("def f(a, /): ..."), sig, False)
    for bad in ("def f(a, b=1): ...",            # b by keyword
                "def f(a=0, /): ...",            # a optional
                "def f(a, b, x, /): ...",        # too many positionals
                "def f(a, /, *, d=1): ...",      # unknown keyword
                "def f(a, /, *args): ..."):
        with pytest.raises(AssertionError):
            check_shape("bad", stub(bad), sig, False)


# ---- 3. installation -----------------------------------------------------------------------


def test_stubs_installed_with_the_package():
    """PEP 561: the .pyi files and py.typed are next to the imported modules
    (the build and the installation must copy them)."""
    installed = Path(cc.__file__).resolve().parent
    for name in ("py.typed", "__init__.pyi", "_concoll.pyi", "recipes.pyi"):
        assert (installed / name).is_file(), f"{name} is not installed in {installed}"
        if name != "py.typed":
            assert (installed / name).read_text() == (PKG_DIR / name).read_text()


# ---- 4. mypy --------------------------------------------------------------------------------

GOOD = '''
from __future__ import annotations

import queue
from typing import TYPE_CHECKING

import concurrent_collections as cc
from concurrent_collections.recipes import BoundedSkipListMap, MapFull


def evicted(key: str, value: int) -> None:
    pass


def main() -> None:
    m: cc.SkipListMap[int, str] = cc.SkipListMap({1: "a", 2: "b"}, backend="locked")
    m[3] = "c"
    v = m.get(1)
    d = m.get(9, "z")
    o = m.get(9, 0)
    fk = m.floor_key(2)
    ci = m.ceiling_item(2, None)
    hk = m.higher_key(3, -1)
    first = m.pop_first()
    rng = list(m.irange(1, 3, (True, False), reverse=True))
    head = m.head_map(3, inclusive=True)
    hv = head[2]
    frozen = m.freeze()
    table = {frozen: 1}
    thawed = frozen.thaw(backend="lockfree")
    pairs = list(m.items())
    backend = m.backend
    assert backend in ("lockfree", "locked") and table and hv and rng is not None
    by_len = cc.SkipListMap([("bb", 1), ("a", 2)], key=len)
    s = cc.SkipListSet(["b", "a"], key=str.lower)
    s.add("C")
    u = cc.SkipListSet([1, 2]) | {2.5}
    fs = s.freeze()
    rs = s.head_set("b")
    lo = s.lower("b")
    q: cc.LockFreeQueue[int] = cc.LockFreeQueue(8)
    q.put(1)
    q.put(2, block=False)
    q.put_nowait(3)
    x = q.get(timeout=0.1)
    try:
        cc.LockFreeQueue[int](1).get_nowait()
    except queue.Empty:
        pass
    st: cc.LockFreeStack[bytes] = cc.LockFreeStack(elimination=False)
    st.push(b"x")
    y = st.pop()
    fq: cc.FastQueue[str] = cc.FastQueue()
    fq.put("s")
    wq: cc.WaitFreeQueue[float] = cc.WaitFreeQueue(maxsize=4)
    kind = wq.kind
    cc.reclaim()
    bm: BoundedSkipListMap[str, int] = BoundedSkipListMap(2, {"a": 1}, policy="evict_first",
                                                          on_evict=evicted)
    bm["b"] = 2
    bm["c"] = 3
    try:
        BoundedSkipListMap(1, [(1, 1), (2, 2)])
    except MapFull as e:
        refused = e.key
    bp = bm.pop("b", None)
    if TYPE_CHECKING:
        reveal_type(v)  # revealed: str | None
        reveal_type(d)  # revealed: str
        reveal_type(o)  # revealed: str | int
        reveal_type(fk)  # revealed: int | None
        reveal_type(ci)  # revealed: tuple[int, str] | None
        reveal_type(hk)  # revealed: int
        reveal_type(first)  # revealed: tuple[int, str]
        reveal_type(head)  # revealed: concurrent_collections._RangeMap[int, str]
        reveal_type(frozen)  # revealed: concurrent_collections.FrozenSkipListMap[int, str]
        reveal_type(thawed)  # revealed: concurrent_collections.SkipListMap[int, str]
        reveal_type(pairs)  # revealed: list[tuple[int, str]]
        reveal_type(by_len)  # revealed: concurrent_collections.SkipListMap[str, int]
        reveal_type(u)  # revealed: concurrent_collections.SkipListSet[int | float]
        reveal_type(fs)  # revealed: concurrent_collections.FrozenSkipListSet[str]
        reveal_type(rs)  # revealed: concurrent_collections._RangeSet[str]
        reveal_type(lo)  # revealed: str | None
        reveal_type(x)  # revealed: int
        reveal_type(y)  # revealed: bytes
        reveal_type(kind)  # revealed: Literal['wcq']
        reveal_type(bm.maxlen)  # revealed: int
        reveal_type(bm.policy)  # revealed: Literal['reject', 'evict_first', 'evict_last']
        reveal_type(bp)  # revealed: int | None
        reveal_type(refused)  # revealed: Any


main()
'''

BAD = '''
from collections.abc import Hashable

import concurrent_collections as cc
from concurrent_collections.recipes import BoundedSkipListMap

m: cc.SkipListMap[int, str] = cc.SkipListMap()
m["x"] = "a"  # error
m[1] = 2  # error
cc.SkipListMap(backend="fast")  # error
cc.SkipListMap({1: 2}, key=1)  # error
m.floor_key(1, default=0)  # error
m.head_map(1, inclusive="no")  # error
q: cc.LockFreeQueue[int] = cc.LockFreeQueue()
q.put("s")  # error
q.put(1, blocking=True)  # error
s: cc.LockFreeStack[int] = cc.LockFreeStack()
s.push(1, 2)  # error
cc.LockFreeStack(False)  # error
cc.FastQueue(8)  # error
BoundedSkipListMap(2, policy="lru")  # error
f = m.freeze()
f[1] = "x"  # error
fs = cc.SkipListSet([1]).freeze()
fs.add(2)  # error
h: Hashable = m  # error
n: int = m.get(1)  # error
'''


_MYPY = []


def mypy_command():
    """mypy run by this interpreter, else the mypy command on PATH (the
    Debian package's, for instance, when the tests run on another Python)."""
    if _MYPY:
        return _MYPY[0]
    candidates = [[sys.executable, "-m", "mypy"]]
    if shutil.which("mypy"):
        candidates.append([shutil.which("mypy")])
    for cmd in candidates:
        try:
            r = subprocess.run(cmd + ["--version"], capture_output=True, text=True, timeout=120)
        except OSError:
            continue
        if r.returncode == 0:
            _MYPY.append(cmd)
            return cmd
    pytest.fail("mypy is required for the typing tests: apt-get install mypy "
                "(Debian/Ubuntu), or python3 -m pip install mypy")


def run_mypy(tmp_path, source):
    sample = tmp_path / "sample.py"
    sample.write_text(textwrap.dedent(source))
    env = dict(os.environ, MYPYPATH=str(SRC))
    r = subprocess.run(mypy_command() + ["--strict", "--no-error-summary", "--show-error-codes",
                                         "--cache-dir", str(tmp_path / "cache"), str(sample)],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    messages = []
    for line in r.stdout.splitlines():
        m = re.match(r"(.+?):(\d+): (error|note): (.*)", line)
        assert m, f"unexpected mypy output: {line}\n{r.stdout}{r.stderr}"
        if Path(m.group(1)).name != "sample.py":
            assert m.group(3) == "note", f"mypy reports an error in a stub: {line}"
            continue
        messages.append((int(m.group(2)), m.group(3), m.group(4)))
    return sample, r, messages


def normalize_type(t):
    """mypy's revealed types, old or new notation, into one notation:
    Union[A, B] and Optional[A] -> A | B, Tuple -> tuple, no builtins."""
    t = t.replace("builtins.", "").replace("typing.", "").rstrip("?")
    t = re.sub(r"\bTuple\[", "tuple[", t)
    t = re.sub(r"\bList\[", "list[", t)

    def split_top(s):
        depth, parts, cur = 0, [], ""
        for ch in s:
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur.strip())
                cur = ""
            else:
                cur += ch
        parts.append(cur.strip())
        return parts

    while True:
        m = re.search(r"\b(Union|Optional)\[", t)
        if not m:
            break
        start, i, depth = m.start(), m.end(), 1
        while depth:
            depth += {"[": 1, "]": -1}.get(t[i], 0)
            i += 1
        inner = split_top(t[m.end():i - 1])
        if m.group(1) == "Optional":
            inner.append("None")
        t = t[:start] + " | ".join(inner) + t[i:]
    t = t.replace('"', "'")
    while True:  # Literal['a'] | Literal['b'] -> Literal['a', 'b']
        merged = re.sub(r"Literal\[([^\]]*)\] \| Literal\[([^\]]*)\]", r"Literal[\1, \2]", t)
        if merged == t:
            return t
        t = merged


def test_mypy_accepts_typed_usage(tmp_path):
    sample, r, messages = run_mypy(tmp_path, GOOD)
    errors = [msg for msg in messages if msg[1] == "error"]
    assert r.returncode == 0 and not errors, r.stdout + r.stderr
    lines = sample.read_text().splitlines()
    revealed = {ln: msg for ln, kind, msg in messages if msg.startswith("Revealed type is")}
    expected = {i + 1: line.split("# revealed:")[1].strip()
                for i, line in enumerate(lines) if "# revealed:" in line}
    assert expected and set(revealed) == set(expected)
    for ln, want in expected.items():
        got = normalize_type(re.match(r'Revealed type is "(.*)"', revealed[ln]).group(1))
        assert got == want, f"line {ln}: {lines[ln - 1].strip()}"
    # The sample also runs.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    run = subprocess.run([sys.executable, str(sample)], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr


def test_mypy_rejects_misuse(tmp_path):
    sample, r, messages = run_mypy(tmp_path, BAD)
    lines = sample.read_text().splitlines()
    want = {i + 1 for i, line in enumerate(lines) if line.endswith("# error")}
    got = {ln for ln, kind, _ in messages if kind == "error"}
    missed = sorted(want - got)
    extra = sorted(got - want)
    assert not missed, "no mypy error on: " + "; ".join(lines[i - 1] for i in missed)
    assert not extra, r.stdout
