# The VS Code extension's static parts, checked without node: the manifest
# declares what the issue asks for, the language configuration pairs
# backquotes, and every snippet expands (placeholders at their defaults)
# to code that the csp parser accepts.  The grammar tests and packaging
# run in editors/vscode/ci.sh (node).
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from lang.parser import parse

VSCODE = Path(__file__).resolve().parent.parent / "editors" / "vscode"


def load(name: str) -> Any:
    return json.loads((VSCODE / name).read_text(encoding="utf-8"))


def test_manifest_declares_language_grammar_snippets_settings_commands() -> None:
    pkg = load("package.json")
    for key in ("name", "publisher", "version", "license", "repository", "engines",
                "categories", "activationEvents", "main", "description"):
        assert pkg.get(key), key
    assert pkg["engines"]["vscode"].startswith("^1.")
    assert "onLanguage:csp" in pkg["activationEvents"]
    c = pkg["contributes"]
    assert c["languages"][0]["id"] == "csp" and c["languages"][0]["extensions"] == [".csp"]
    assert c["grammars"][0]["scopeName"] == "source.csp"
    assert (VSCODE / c["grammars"][0]["path"]).is_file()
    assert (VSCODE / c["snippets"][0]["path"]).is_file()
    assert (VSCODE / c["languages"][0]["configuration"]).is_file()
    setting = c["configuration"]["properties"]["csp.pythonPath"]
    assert setting["default"] == "python3" and setting["type"] == "string"
    titles = {(cmd["category"], cmd["title"]) for cmd in c["commands"]}
    assert titles == {("CSP", "Run file"), ("CSP", "Run with race detector"),
                      ("CSP", "Open timeline")}
    assert "vscode-languageclient" in pkg["dependencies"]
    for dev in ("vscode-tmgrammar-test", "@vscode/vsce", "typescript"):
        assert dev in pkg["devDependencies"]
    assert (VSCODE / "package-lock.json").is_file()
    for f in ("LICENSE", "README.md", "CHANGELOG.md", ".vscodeignore", "ci.sh"):
        assert (VSCODE / f).is_file(), f


def test_extension_starts_the_server_and_runs_csp() -> None:
    src = (VSCODE / "src" / "extension.ts").read_text(encoding="utf-8")
    assert 'args: ["-m", "csp", "lsp"]' in src
    assert "vscode-languageclient/node" in src
    for cmd in ('"csp.run"', '"csp.runRace"', '"csp.openTimeline"', '"-race"',
                '["--timeline", "out.html"]'):
        assert cmd in src, cmd


def test_language_configuration_pairs() -> None:
    conf = load("language-configuration.json")
    assert conf["comments"] == {"lineComment": "//", "blockComment": ["/*", "*/"]}
    opens = {p["open"] for p in conf["autoClosingPairs"]}
    assert {"{", "[", "(", '"', "'", "`"} <= opens
    inc = re.compile(conf["indentationRules"]["increaseIndentPattern"])
    dec = re.compile(conf["indentationRules"]["decreaseIndentPattern"])
    assert inc.search("func main() {") and inc.search("\tselect {")
    assert not inc.search("x := f()")
    assert dec.search("\t}") and dec.search("\tcase v := <-ch:")


_PLACEHOLDER = re.compile(r"\$\{(\d+)(?::([^{}]*)|\|([^|]*)\|)?\}|\$(\d+)")


def expand(body: str) -> str:
    """Snippet text with every placeholder at its default; mirrors ($1 used
    again) take the first default of that tab stop, as VS Code does."""
    defaults: dict[str, str] = {}
    text = body
    for _ in range(5):  # nested placeholders: expand inside out
        def sub(m: re.Match[str]) -> str:
            num = m.group(1) or m.group(4)
            if m.group(2) is not None:
                defaults.setdefault(num, m.group(2))
                return m.group(2)
            if m.group(3) is not None:
                choice = m.group(3).split(",")[0]
                defaults.setdefault(num, choice)
                return choice
            return f"\x00{num}\x00"
        text = _PLACEHOLDER.sub(sub, text)
    return re.sub("\x00(\\d+)\x00", lambda m: defaults.get(m.group(1), ""), text)


SNIPPETS = load("snippets/csp.json")


def test_snippets_cover_the_concurrency_patterns() -> None:
    prefixes = {p for s in SNIPPETS.values() for p in s["prefix"]}
    for want in ("go", "selecttimeout", "workerpool", "fanin", "stage", "ctxcancel",
                 "mutexstruct", "tabletest"):
        assert want in prefixes, want


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_snippet_expands_to_code_that_parses(name: str) -> None:
    code = expand("\n".join(SNIPPETS[name]["body"]))
    assert "$" not in code
    if code.startswith("package"):
        program = code
    elif code.startswith(("func ", "type ")):
        program = "package main\n\n" + code + "\n"
    else:
        program = "package main\n\nfunc main() {\n" + code + "\n}\n"
    _file, diags = parse("snippet.csp", program)
    assert diags == [], (program, diags)
