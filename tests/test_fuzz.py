"""The no-traceback guarantee, by fuzzing ``csp check`` and ``csp run``.

Whatever the input (random bytes, random Go token soup, real programs
with a token or a line dropped, duplicated or swapped), csp must answer
with a compile error, a Go panic or a normal run:

- no ``internal error`` report and no Python traceback on stderr;
- exit status 0, 1 or 2 (or the ``os.Exit`` status the program names).

Runs go through ``csp.cli.main`` in-process (fast) with ``--max-steps``,
so mutated programs that loop forever still end.  Hypothesis is
derandomized and keeps no example database, so CI runs are reproducible;
CSP_FUZZ_EXAMPLES overrides the number of examples per test (default 200).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import CONFORMANCE_CASES, run_csp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MAX_STEPS = 20000

FUZZ_SETTINGS = settings(
    max_examples=int(os.environ.get("CSP_FUZZ_EXAMPLES", "200")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------- seed programs

SAMPLES = [
    """package main

import "fmt"

type point struct{ x, y int }

func (p *point) move(dx int) { p.x += dx }

func main() {
	ps := []point{{1, 2}, {3, 4}}
	for i := range ps {
		ps[i].move(i)
	}
	m := map[string]int{"a": 1}
	m["b"] += 2
	fmt.Println(ps, len(m), m)
}
""",
    """package main

import "fmt"

func counter() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}

func main() {
	c := counter()
	for i := 0; i < 3; i++ {
		fmt.Printf("%d ", c())
	}
	defer fmt.Println("done")
	switch x := c(); {
	case x > 3:
		fmt.Println("big")
	default:
		fmt.Println("small")
	}
}
""",
    """package main

import (
	"fmt"
	"sync"
)

func worker(id int, jobs <-chan int, results chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		results <- j * id
	}
}

func main() {
	jobs := make(chan int, 5)
	results := make(chan int, 5)
	var wg sync.WaitGroup
	for w := 1; w <= 2; w++ {
		wg.Add(1)
		go worker(w, jobs, results, &wg)
	}
	for i := 0; i < 5; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}
	select {
	case v, ok := <-results:
		fmt.Println(v, ok, sum > 0)
	default:
		fmt.Println("none")
	}
}
""",
    """package main

import (
	"errors"
	"fmt"
	"os"
)

func div(a, b int) (q int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New(fmt.Sprint(r))
		}
	}()
	return a / b, nil
}

func main() {
	_, err := div(1, 0)
	fmt.Println(err)
	var xs [3]int
	i := 5
	if err != nil {
		os.Exit(3)
	}
	fmt.Println(xs[i])
}
""",
]


def seed_programs() -> list[str]:
    """SAMPLES, plus the conformance corpus when ../shared is present."""
    corpus = sorted(CONFORMANCE_CASES.glob("*.csp")) if CONFORMANCE_CASES.is_dir() else []
    return SAMPLES + [p.read_text(encoding="utf-8") for p in corpus]


PROGRAMS = seed_programs()

# ---------------------------------------------------------------- tokens

KEYWORDS = (
    "break case chan const continue default defer else fallthrough for func go goto if "
    "import interface map package range return select struct switch type var"
).split()
OPERATORS = (
    "+ - * / % & | ^ << >> &^ += -= *= /= %= &= |= ^= <<= >>= &^= && || <- ++ -- == < > = ! "
    "~ != <= >= := ... ( ) [ ] { } , ; . :"
).split()
IDENTIFIERS = (
    "main fmt Println Printf Sprintf x y z i err ok int int8 uint64 byte rune string bool "
    "float64 error any nil true false iota len cap make append copy delete new close panic "
    "recover print println time Sleep sync WaitGroup Mutex os Exit _"
).split()
LITERALS = ['0', '1', '42', '-7', '0x1F', '1e9', '3.14', "'a'", "'\\n'", '"s"', '"%d\\n"',
            '`raw`', '1<<62', '9223372036854775807']
GO_TOKENS = KEYWORDS + OPERATORS + IDENTIFIERS + LITERALS

# Multi-character operators first, so that mutations move whole tokens.
TOKEN_RE = re.compile(
    r'"(?:\\.|[^"\\\n])*"|`[^`]*`|\'(?:\\.|[^\'\\\n])*\'|//[^\n]*|/\*.*?\*/'
    r"|[A-Za-z_][A-Za-z_0-9]*|\d[\w.]*"
    r"|<<=|>>=|&\^=|\.\.\.|:=|<-|&&|\|\||==|!=|<=|>=|\+\+|--|<<|>>|&\^|[-+*/%&|^]="
    r"|[^\s\w]",
    re.DOTALL,
)

# ---------------------------------------------------------------- strategies


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(st.sampled_from(GO_TOKENS), max_size=60))
    seps = draw(st.lists(st.sampled_from([" ", " ", "\n", ""]), min_size=len(tokens),
                         max_size=len(tokens)))
    body = "".join(t + s for t, s in zip(tokens, seps, strict=True))
    shape = draw(st.sampled_from(["bare", "package", "main"]))
    if shape == "package":
        return "package main\n" + body
    if shape == "main":
        return 'package main\n\nimport "fmt"\n\nfunc main() {\n' + body + "\n}\n"
    return body


def _mutate_tokens(draw: st.DrawFn, src: str, kind: str) -> str:
    spans = [m.span() for m in TOKEN_RE.finditer(src)]
    if len(spans) < 2:
        return src
    i = draw(st.integers(0, len(spans) - 1))
    start, end = spans[i]
    if kind == "drop":
        return src[:start] + src[end:]
    if kind == "duplicate":
        return src[:end] + " " + src[start:end] + src[end:]
    j = draw(st.integers(0, len(spans) - 1))
    (s1, e1), (s2, e2) = sorted([spans[i], spans[j]])
    if s1 == s2:
        return src
    return src[:s1] + src[s2:e2] + src[e1:s2] + src[s1:e1] + src[e2:]


def _mutate_lines(draw: st.DrawFn, src: str, kind: str) -> str:
    lines = src.splitlines(keepends=True)
    if len(lines) < 2:
        return src
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "drop":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    else:
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


@st.composite
def mutated_program(draw: st.DrawFn) -> str:
    src = draw(st.sampled_from(PROGRAMS))
    for _ in range(draw(st.integers(1, 3))):
        unit = draw(st.sampled_from(["token", "line"]))
        kind = draw(st.sampled_from(["drop", "duplicate", "swap"]))
        src = (_mutate_tokens if unit == "token" else _mutate_lines)(draw, src, kind)
    return src


# ---------------------------------------------------------------- the property


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "fuzz.csp"


def allowed_statuses(source: bytes) -> set[int]:
    named = {int(n) for n in re.findall(rb"os\.Exit\((\d{1,3})\)", source)}
    return {0, 1, 2, 4} | named  # 4: --max-steps (runtime/limits.py)


def assert_handled(path: Path, source: bytes) -> None:
    path.write_bytes(source)
    code, out, err = run_csp(["check", str(path)])
    _assert_clean("check", source, code, out + err)
    if code != 0:
        return  # run would report the same compile errors
    code, out, err = run_csp(["run", "--max-steps", str(MAX_STEPS), str(path)])
    _assert_clean("run", source, code, out + err)


def _assert_clean(command: str, source: bytes, code: int, output: str) -> None:
    context = f"csp {command} on {source!r}"
    assert "internal error" not in output, f"{context}:\n{output}"
    assert "Traceback (most recent call last)" not in output, f"{context}:\n{output}"
    assert code in allowed_statuses(source), f"{context}: exit {code}\n{output}"


@FUZZ_SETTINGS
@given(source=st.binary(max_size=400))
def test_random_bytes(fuzz_file: Path, source: bytes) -> None:
    assert_handled(fuzz_file, source)


@FUZZ_SETTINGS
@given(source=st.one_of(st.text(max_size=200), st.binary(max_size=50).map(
    lambda b: b"package main\n\nfunc main() {\n" + b + b"\n}\n")))
def test_random_text(fuzz_file: Path, source: str | bytes) -> None:
    assert_handled(fuzz_file, source.encode("utf-8") if isinstance(source, str) else source)


@FUZZ_SETTINGS
@given(source=token_soup())
def test_random_go_tokens(fuzz_file: Path, source: str) -> None:
    assert_handled(fuzz_file, source.encode("utf-8"))


@FUZZ_SETTINGS
@given(source=mutated_program())
def test_mutated_programs(fuzz_file: Path, source: str) -> None:
    assert_handled(fuzz_file, source.encode("utf-8"))


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_sample_programs_compile(fuzz_file: Path, index: int) -> None:
    """The mutation fuzzer starts from valid programs, so that mutants
    reach the checker, compiler and VM, not only the parser."""
    fuzz_file.write_text(SAMPLES[index], encoding="utf-8")
    assert tuple(run_csp(["check", str(fuzz_file)])) == (0, "", "")
