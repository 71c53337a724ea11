// Checks the packaged .vsix (a zip file) holds what the extension needs at
// run time: the manifest, the compiled entry point, the grammar, the
// language configuration, the snippets, the license, and the runtime
// dependencies (vscode-languageclient and what it requires), and that no
// development-only file slipped in.  Reads the zip's central directory
// itself, so it needs nothing beyond node.
"use strict";
const fs = require("fs");
const path = require("path");

function zipEntries(file) {
  const buf = fs.readFileSync(file);
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new Error(`${file}: not a zip file`);
  }
  const count = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(off) !== 0x02014b50) {
      throw new Error(`${file}: bad central directory entry ${n}`);
    }
    const nameLen = buf.readUInt16LE(off + 28);
    const extraLen = buf.readUInt16LE(off + 30);
    const commentLen = buf.readUInt16LE(off + 32);
    names.push(buf.toString("utf8", off + 46, off + 46 + nameLen));
    off += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

function main() {
  const vsix = process.argv[2] || path.join(__dirname, "..", "csp-lang.vsix");
  const names = new Set(zipEntries(vsix));
  const pkg = require(path.join(__dirname, "..", "package.json"));
  const required = [
    "extension.vsixmanifest",
    "[Content_Types].xml",
    "extension/package.json",
    "extension/" + path.posix.normalize(pkg.main),
    "extension/syntaxes/csp.tmLanguage.json",
    "extension/language-configuration.json",
    "extension/snippets/csp.json",
    "extension/LICENSE.txt",
    "extension/readme.md",
    "extension/changelog.md",
    // The runtime dependency and its own dependencies (vscode-languageclient
    // loads vscode-languageserver-protocol, which loads jsonrpc and types).
    "extension/node_modules/vscode-languageclient/package.json",
    "extension/node_modules/vscode-languageclient/node.js",
    "extension/node_modules/vscode-languageclient/lib/node/main.js",
    "extension/node_modules/vscode-languageserver-protocol/package.json",
    "extension/node_modules/vscode-jsonrpc/package.json",
    "extension/node_modules/vscode-languageserver-types/package.json",
  ];
  const forbidden = [
    /^extension\/src\//,
    /^extension\/tests\//,
    /^extension\/node_modules\/(typescript|@vscode\/vsce|vscode-tmgrammar-test|@types)\//,
    /\.vsix$/,
    /^extension\/gen_grammar\.py$/,
  ];
  const problems = [];
  for (const name of required) {
    if (!names.has(name)) {
      problems.push(`missing: ${name}`);
    }
  }
  for (const name of names) {
    for (const re of forbidden) {
      if (re.test(name)) {
        problems.push(`should not be packaged: ${name}`);
      }
    }
  }
  // Every runtime dependency, and every dependency of those, must be
  // packaged where node's resolution finds it: in a node_modules folder of
  // the requiring package or of one of its parents.  The dependency lists
  // come from the installed packages (same layout as in the .vsix).
  const root = path.join(__dirname, "..");
  const seen = new Set();
  const queue = Object.keys(pkg.dependencies || {}).map((dep) => ["", dep]);
  while (queue.length > 0) {
    const [from, dep] = queue.shift();
    let found;
    for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, "")) {
      const candidate = (dir ? dir + "/" : "") + "node_modules/" + dep;
      if (names.has(`extension/${candidate}/package.json`)) {
        found = candidate;
        break;
      }
      if (dir === "") {
        break;
      }
    }
    if (!found) {
      problems.push(`runtime dependency not packaged: ${dep} (needed by ${from || "the extension"})`);
      continue;
    }
    if (seen.has(found)) {
      continue;
    }
    seen.add(found);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, found, "package.json"), "utf8"));
    for (const sub of Object.keys(manifest.dependencies || {})) {
      queue.push([found, sub]);
    }
  }
  console.log(`runtime dependencies packaged: ${[...seen].sort().join(", ")}`);
  // The grammar, snippets and configuration the manifest names must exist.
  const c = pkg.contributes;
  for (const rel of [
    ...c.grammars.map((g) => g.path),
    ...c.snippets.map((s) => s.path),
    ...c.languages.map((l) => l.configuration),
  ]) {
    const entry = "extension/" + path.posix.normalize(rel);
    if (!names.has(entry)) {
      problems.push(`contributed file not packaged: ${entry}`);
    }
  }
  console.log(`${path.basename(vsix)}: ${names.size} files`);
  if (problems.length > 0) {
    for (const p of problems) {
      console.log(`  FAIL ${p}`);
    }
    console.log(`vsix check: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(`vsix check: ${required.length} required files present, no development files`);
}

main();
