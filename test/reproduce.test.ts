import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { joined, NotebookJson, readNotebook, root, runNode, scratchDir } from "./helpers";

/** Every text a reader sees in a notebook's outputs (tables, printed numbers), image data left out. */
function texts(nb: NotebookJson): string[] {
  return nb.cells.flatMap((c) => (c.outputs ?? []).map((o) => joined(o.text) + joined(o.data?.["text/plain"])));
}

test("notebooks 01-04 re-executed from scratch give the committed numbers, derived data and commit message", (t) => {
  const dir = scratchDir(t);
  const derived = path.join(dir, "derived");
  const names = fs.readdirSync(path.join(root, "notebooks")).filter((f) => /^0[1-9].*\.ipynb$/.test(f)).sort();
  assert.ok(names.length >= 3, names.join(","));
  for (const name of names) {
    const nb = readNotebook(path.join(root, "notebooks", name));
    for (const c of nb.cells) if (c.cell_type === "code") c.outputs = [];
    fs.writeFileSync(path.join(dir, name), JSON.stringify(nb));
  }
  const r = runNode("bin/modburst.js", ["reproduce", "--dir", dir], { env: { MODBURST_DERIVED_DIR: derived, MODBURST_FIGURES_DIR: path.join(dir, "figures") }, timeoutMs: 480_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  for (const name of names) {
    const fresh = readNotebook(path.join(dir, name));
    const outputs = fresh.cells.flatMap((c) => c.outputs ?? []);
    assert.equal(outputs.filter((o) => o.output_type === "error").length, 0, name);
    assert.deepEqual(texts(fresh), texts(readNotebook(path.join(root, "notebooks", name))), `${name}: outputs differ from the committed notebook`);
  }
  // Notebook 04's pack: every figure in three formats and the same commit message as committed.
  const figures = path.join(dir, "figures");
  const message = fs.readFileSync(path.join(figures, "commit-message.txt"), "utf8");
  assert.equal(message, fs.readFileSync(path.join(root, "figures", "commit-message.txt"), "utf8"));
  assert.ok([...message].every((ch) => ch === "\n" || (ch >= " " && ch <= "~")), "ASCII");
  assert.ok(message.split("\n").every((l) => l.length <= 72), "72 columns");
  for (const stem of ["measured-vs-simulated", "timeline-base", "timeline-merge", "span-vs-cpus", "base-merge-ratio"]) {
    for (const ext of ["svg", "png", "html"]) assert.ok(fs.existsSync(path.join(figures, `${stem}.${ext}`)), `${stem}.${ext}`);
    assert.ok(message.includes(`  ${stem}.{svg,png,html}`), `${stem} listed in the message`);
  }
  const committed = path.join(root, "data", "derived");
  for (const f of fs.existsSync(derived) ? fs.readdirSync(derived) : []) {
    assert.ok(fs.existsSync(path.join(committed, f)), `${f} is not committed in data/derived`);
    assert.equal(fs.readFileSync(path.join(derived, f), "utf8"), fs.readFileSync(path.join(committed, f), "utf8"), f);
  }
});
