#!/usr/bin/env node
/**
 * npm run build: compile src/ to dist/ when a source is newer than the last
 * build, as make would. tsc's own incremental check still costs ~2 s when
 * nothing changed, which every npm script would pay. `--force` always compiles.
 */
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..");
// Our own stamp, touched only after a successful build here: tsc --noEmit elsewhere may rewrite tsc's build info.
const stamp = path.join(root, "dist", ".modburst-build");

function newestMtimeMs(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, f) => Math.max(m, newestMtimeMs(path.join(p, f))), st.mtimeMs);
}

const inputs = ["src", "tsconfig.json", "package.json"].map((f) => path.join(root, f));
const fresh =
  !process.argv.includes("--force") &&
  fs.existsSync(stamp) &&
  fs.existsSync(path.join(root, "dist", "index.js")) &&
  Math.max(...inputs.map(newestMtimeMs)) <= fs.statSync(stamp).mtimeMs;
if (fresh) process.exit(0);

const r = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
if (r.status === 0) {
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
process.exit(r.status ?? 1);
