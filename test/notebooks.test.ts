import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { joined, readNotebook, root } from "./helpers";

/** notebooks/ and each study folder's executed notebooks/. */
const dirs = [
  path.join(root, "notebooks"),
  ...fs.readdirSync(path.join(root, "data", "studies")).map((s) => path.join(root, "data", "studies", s, "notebooks")).filter((d) => fs.existsSync(d)),
];

test("the committed notebooks (the seed's and each study's) are saved executed, without errors, each 2 MB or less, every figure once as JSON and once as PNG", () => {
  for (const dir of dirs) checkDir(dir);
});

function checkDir(dir: string): void {
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
    const file = path.join(dir, name);
    assert.ok(fs.statSync(file).size <= 2 * 1024 * 1024, `${name}: ${fs.statSync(file).size} bytes`);
    const nb = readNotebook(file);
    for (const o of nb.cells.flatMap((c) => c.outputs ?? [])) {
      if (!o.data) continue;
      assert.ok(!o.data["text/html"] || !/<script|Plotly/.test(joined(o.data["text/html"])), `${name}: a script in an HTML output`);
      if (o.data["application/vnd.plotly.v1+json"]) assert.ok(o.data["image/png"] && !o.data["image/svg+xml"], `${name}: a figure without its one PNG`);
    }
    // The parameters cell only names the study and prints nothing.
    const isParameters = (c: { metadata?: { tags?: string[] } }) => (c.metadata?.tags ?? []).some((t) => t === "parameters" || t === "injected-parameters");
    const code = nb.cells.filter((c) => c.cell_type === "code" && !isParameters(c as { metadata?: { tags?: string[] } }));
    assert.ok(code.every((c) => (c.outputs ?? []).length > 0), `${name} has a code cell without outputs`);
    assert.ok(!code.some((c) => (c.outputs ?? []).some((o) => o.output_type === "error")), `${name} has an error output`);
  }
}
