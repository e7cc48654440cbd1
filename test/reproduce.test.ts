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
import { outputCodeVersion } from "../src/codeVersion";
import { joined, readNotebook, root } from "./helpers";

test("every committed notebook was executed by this checkout's code", () => {
  const version = outputCodeVersion();
  const dir = path.join(root, "notebooks");
  const names = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
  assert.ok(names.length >= 5, names.join(","));
  for (const name of names) {
    // The first code cell after the parameters cell (which only names the study and prints nothing).
    const first = readNotebook(path.join(dir, name)).cells.find((c) => c.cell_type === "code" && !(c as { metadata?: { tags?: string[] } }).metadata?.tags?.includes("parameters"));
    const printed = (first?.outputs ?? []).map((o) => joined(o.text)).join("");
    const made = /made by modburst code ([0-9a-f]{16})/.exec(printed);
    assert.ok(made, `${name}: its first cell does not print mb.provenanceLine()`);
    assert.equal(made[1], version, `${name} was executed by other code (${made[1]}, this checkout ${version}): run npm run reproduce`);
  }
});
