/**
 * The committed notebooks are current: each says, in its first output (after the parameters cell), the hash
 * of the code that executed it, and it must be this checkout's. (Re-executing
 * all of them from a cold cache takes minutes; .ci/run does that on every clean
 * clone and requires byte-identical notebooks, data/derived and figures, then a
 * warm run that recomputes nothing.)
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { outputCodeVersion } from "../src/core/codeVersion";
import { joined, readNotebook, root } from "./helpers";

/** notebooks/ (the seed study's) and each study folder's executed notebooks/ (the synthetic worked example's). */
const notebookDirs = [
  path.join(root, "notebooks"),
  ...fs.readdirSync(path.join(root, "data", "studies")).map((s) => path.join(root, "data", "studies", s, "notebooks")).filter((d) => fs.existsSync(d)),
];

test("every committed notebook (the seed's and each study's) was executed by this checkout's code", () => {
  assert.ok(notebookDirs.length >= 2, notebookDirs.join(","));
  for (const dir of notebookDirs) checkDir(dir);
});

function checkDir(dir: string): void {
  const version = outputCodeVersion();
  const names = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
  assert.ok(names.length >= 5, names.join(","));
  for (const name of names) {
    // The first code cell after the parameters cell (which only names the study and prints nothing).
    const first = readNotebook(path.join(dir, name)).cells.find((c) => c.cell_type === "code" && !(c as { metadata?: { tags?: string[] } }).metadata?.tags?.some((t) => t === "parameters" || t === "injected-parameters"));
    const printed = (first?.outputs ?? []).map((o) => joined(o.text)).join("");
    const made = /made by modburst code ([0-9a-f]{16})/.exec(printed);
    assert.ok(made, `${name}: its first cell does not print mb.provenanceLine()`);
    const study = path.basename(path.dirname(dir));
    const again = dir === path.join(root, "notebooks") ? "npm run reproduce" : `npm run reproduce -- --study ${study}`;
    assert.equal(made[1], version, `${path.relative(root, path.join(dir, name))} was executed by other code (${made[1]}, this checkout ${version}): run ${again}`);
  }
}
