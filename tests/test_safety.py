"""No host access: a .csp program reaches only stdout, stderr, os.Args,
os.Exit and its virtual clock, and never a Python object.

Three angles: the registered package surface (no file, network, process or
environment API), the implementation source (no eval/exec/imports of host
modules, attribute access by a computed name only at reviewed sites), and
programs that try to name Python things (they fail to compile or print Go
values, never Python reprs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_csp

import stdlib
from lang import types as T
from stdlib.registry import PACKAGES, ConstMember, NativeFunc, TypeMember, VarMember

Writer = Callable[..., Path]

HOST_API = re.compile(
    r"^(Open|OpenFile|Create|CreateTemp|Remove|RemoveAll|Rename|Mkdir|MkdirAll|Chdir|Chmod|"
    r"Chown|Getwd|Getenv|Setenv|Unsetenv|Environ|LookupEnv|ExpandEnv|Exec|Command|"
    r"CommandContext|StartProcess|FindProcess|Getpid|Getppid|Kill|Dial|DialTimeout|Listen|"
    r"ListenPacket|ReadFile|WriteFile|ReadDir|DirFS|Pipe|Hostname|Executable|TempDir|"
    r"UserHomeDir|Stdin|Lstat|Stat|Symlink|Link|Truncate|Chtimes|Setuid|Syscall|Getuid)$")

HOST_PACKAGES = {"io/ioutil", "os/exec", "net", "net/http", "syscall", "unsafe", "plugin",
                 "os/signal", "io/fs", "path/filepath", "bufio", "reflect", "embed"}


def _members() -> list[tuple[str, str, object]]:
    stdlib.load_all()
    return [(path, name, m) for path, pkg in sorted(PACKAGES.items())
            for name, m in sorted(pkg.members.items())]


def test_os_has_only_exit_args_and_the_two_output_files() -> None:
    stdlib.load_all()
    assert set(PACKAGES["os"].members) == {"Args", "Exit", "File", "Stdout", "Stderr"}
    file_type = PACKAGES["os"].members["File"]
    assert isinstance(file_type, TypeMember)
    named = file_type.type
    assert isinstance(named, T.Named)
    assert set(named.methods) <= {"Write", "WriteString"}


def test_no_package_offers_files_network_processes_or_environment() -> None:
    stdlib.load_all()
    assert not HOST_PACKAGES & set(PACKAGES)
    offenders = [f"{path}.{name}" for path, name, _ in _members() if HOST_API.match(name)]
    assert offenders == []


def test_natives_are_csp_code_not_python_builtins() -> None:
    """Every native function and library method is implemented in csp's own
    modules (never a bare builtin such as open, eval or getattr)."""
    impls: list[tuple[str, object]] = []
    for path, name, m in _members():
        if isinstance(m, NativeFunc):
            impls.append((f"{path}.{name}", m.impl))
        if isinstance(m, TypeMember) and isinstance(m.type, T.Named):
            for mname, info in m.type.methods.items():
                if info.impl is not None:
                    impls.append((f"{path}.{name}.{mname}", info.impl))
    assert impls
    for where, impl in impls:
        module = getattr(impl, "__module__", None) or ""
        assert module.split(".")[0] in {"stdlib", "runtime"}, (where, module)


def test_package_values_are_go_values() -> None:
    allowed = (bool, int, float, str, list, dict, tuple, type(None))
    for path, name, m in _members():
        if isinstance(m, ConstMember):
            assert isinstance(m.value, (bool, int, float, str)), f"{path}.{name}"
        if isinstance(m, VarMember):
            v = m.cell[0]
            from runtime.values import Iface, Pointer, Slice
            assert isinstance(v, (*allowed, Iface, Pointer, Slice)), f"{path}.{name}"


SOURCE_DIRS = ("runtime", "stdlib", "lang")
FORBIDDEN_SOURCE = re.compile(
    r"\b(eval|exec)\(|__import__\(|\bimport (subprocess|socket|shutil|ctypes|pickle|marshal)\b"
    r"|\bos\.(system|popen|exec\w*|spawn\w*|remove|unlink|putenv)\b")
# Attribute access by a computed name: each reviewed site, and why it is safe.
REVIEWED_GETATTR = {
    "runtime/limits.py",       # LimitedWriter delegates to the real stream
    "runtime/leaks.py",        # walks Python __slots__ names of csp's own classes
    "stdlib/runtime_pkg.py",   # machine method names are literals in the callers
    "lang/check_call.py",      # AST field names of lang/ast.py nodes
    "lang/compiler.py",        # AST field names of lang/ast.py nodes
    "lang/ast.py",             # children(): the node classes' own field names
    "lang/check_decl.py",      # a literal name split over a line
    "lang/lalr.py",            # rule names from the generated grammar tables
}
COMPUTED_GETATTR = re.compile(r"getattr\([^,()]+(\([^)]*\))?,\s*(?![\s\"'])")


def _sources() -> list[Path]:
    return [p for d in SOURCE_DIRS for p in sorted((REPO_ROOT / d).rglob("*.py"))]


def test_no_eval_exec_or_host_modules_in_the_implementation() -> None:
    offenders = []
    for path in _sources():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if FORBIDDEN_SOURCE.search(code):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_computed_attribute_names_only_at_reviewed_sites() -> None:
    offenders = []
    for path in _sources():
        rel = path.relative_to(REPO_ROOT).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if COMPUTED_GETATTR.search(line.split("#", 1)[0]) and rel not in REVIEWED_GETATTR:
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("body,error", [
    ('x := struct{ a int }{1}\n\tfmt.Println(x.__class__)', "__class__"),
    ('fmt.Println(fmt.__dict__)', "__dict__"),
    ('fmt.Println(os.Getenv("HOME"))', "Getenv"),
    ('f, _ := os.Open("/etc/passwd")\n\tfmt.Println(f)', "Open"),
    ('fmt.Println(eval("1"))', "eval"),
    ('fmt.Println(__import__)', "__import__"),
])
def test_programs_cannot_name_python_or_host_things(write_csp: Writer, body: str,
                                                    error: str) -> None:
    source = (f'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nvar _ = os.Args\n\n'
              f'func main() {{\n\t{body}\n}}\n')
    code, out, err = run_csp(["run", str(write_csp(source))])
    assert code == 1, err
    assert out == ""
    assert error in err and "Traceback" not in err


def test_importing_a_host_package_is_a_compile_error(write_csp: Writer) -> None:
    for pkg in ("os/exec", "net", "io/ioutil", "syscall"):
        source = f'package main\n\nimport "{pkg}"\n\nfunc main() {{\n}}\n'
        code, _, err = run_csp(["run", str(write_csp(source))])
        assert code == 1, (pkg, err)


def test_values_print_as_go_values_never_python_reprs(write_csp: Writer) -> None:
    source = """package main

import (
\t"fmt"
\t"os"
)

type T struct{ a int }

func (t T) __init__() int { return 7 }

type I interface{ __init__() int }

func main() {
\tf := func() {}
\tch := make(chan int)
\tvar i I = T{1}
\tvar x interface{} = f
\tfmt.Println(i.__init__())
\tfmt.Printf("%v|%T|%v|%v|%s|%d\\n", f, f, ch, os.Stdout, x, x)
\tfmt.Printf("%#v %v\\n", T{2}, main)
}
"""
    code, out, err = run_csp(["run", str(write_csp(source))])
    assert (code, err) == (0, "")
    assert out.startswith("7\n")  # a Go method may be called __init__: it is just a name
    for python_ish in ("<function", "<bound", "object at", "<class", "Closure", "lambda"):
        assert python_ish not in out
