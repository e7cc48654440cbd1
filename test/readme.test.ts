import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { commands } from "../src/cli/main";
import { root, runNode } from "./helpers";

test("the README's simulate examples run as written", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const lines = readme.split("\n").filter((l) => /^(npx modburst simulate|npm run simulate --) /.test(l));
  assert.ok(lines.length >= 3, lines.join("\n"));
  for (const line of lines) {
    const args = line.replace(/^npx modburst simulate |^npm run simulate -- /, "").split(/\s+/).filter(Boolean);
    const r = runNode("bin/modburst.js", ["simulate", ...args]);
    assert.equal(r.status, 0, `${line}\n${r.stderr}`);
    assert.ok(r.stdout.length > 0, line);
  }
});

test("the README's command table has every command, with its npm alias", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
  const rows = readme.split("\n").filter((l) => /^\| `[a-z-]+` \|/.test(l)).map((l) => l.split("|").map((c) => c.trim()));
  assert.deepEqual(rows.map((r) => r[1].replace(/`/g, "")), Object.keys(commands));
  for (const r of rows) {
    const name = r[1].replace(/`/g, "");
    assert.equal(r[3].startsWith(`\`npm run ${name}\``), name in scripts, r.join("|"));
  }
});

test("the README's map of src/ lists exactly what `ls src` shows, in that order", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const start = readme.indexOf("### The code (`src/`), in pipeline order");
  assert.ok(start >= 0, "the README has a map of src/");
  const rows = readme.slice(start).split("\n\n").find((block) => block.startsWith("| folder |")) ?? "";
  const mapped = [...rows.matchAll(/^\| `src\/([^`/]+)\/?` \|/gm)].map((m) => m[1]);
  const listed = fs.readdirSync(path.join(root, "src")).sort();
  assert.deepEqual([...mapped].sort(), listed);
  const stages = listed.filter((d) => /^\d-/.test(d));
  assert.deepEqual(mapped.slice(0, stages.length), stages, "the stages come first, in order");
});
