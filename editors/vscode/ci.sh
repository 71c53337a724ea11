#!/usr/bin/env bash
# CI for the VS Code extension: install the locked npm packages, compile
# the TypeScript, run the TextMate grammar tests, package the .vsix and
# check what it contains.  Needs node >= 20 and npm with access to the npm
# registry, nothing else.  Every step must pass; the first failure stops
# the run with a non-zero exit status.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
VSIX="csp-lang.vsix"

section() {
    printf '\n==== vscode: %s ====\n' "$1"
}

fail() {
    echo "vscode ci: $1" >&2
    exit 1
}

section "environment"
command -v node >/dev/null 2>&1 || fail "node is not installed (need node >= 20)"
command -v npm >/dev/null 2>&1 || fail "npm is not installed"
echo "node $(node --version), npm $(npm --version)"
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || fail "node $(node --version) is too old (need >= 20)"

section "install: npm ci"
npm ci --no-audit --no-fund

section "compile: tsc"
npm run --silent compile
[ -f out/extension.js ] || fail "out/extension.js was not produced"

section "grammar tests: vscode-tmgrammar-test tests/*.csp"
npx --no-install vscode-tmgrammar-test "tests/*.csp"

section "package: vsce package"
rm -f "$VSIX"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# --no-dependencies is NOT used: the runtime dependencies must be packed.
# stdin is closed so that any question vsce might ask fails instead of hanging.
if ! npx --no-install vsce package --out "$VSIX" </dev/null >"$log" 2>&1; then
    cat "$log"
    fail "vsce package failed"
fi
cat "$log"
[ -f "$VSIX" ] || fail "$VSIX was not produced"
# vsce warns (without failing) about missing manifest fields (repository,
# license, ...): treat those as failures.  Its general advice to bundle
# the extension's JavaScript is not about the manifest and is allowed.
if grep -E 'WARNING|WARN ' "$log" | grep -viE 'bundle your extension'; then
    fail "vsce printed warnings (above)"
fi

section "check the .vsix contents"
node tests/check_vsix.js "$VSIX"

section "ok"
echo "vscode ci: all steps passed"
