import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { joined, readNotebook, root } from "./helpers";

test("the committed notebooks are saved executed, without errors, each 2 MB or less, every figure once as JSON and once as PNG", () => {
  const dir = path.join(root, "notebooks");
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
    const file = path.join(dir, name);
    assert.ok(fs.statSync(file).size <= 2 * 1024 * 1024, `${name}: ${fs.statSync(file).size} bytes`);
    const nb = readNotebook(file);
    for (const o of nb.cells.flatMap((c) => c.outputs ?? [])) {
      if (!o.data) continue;
      assert.ok(!o.data["text/html"] || !/<script|Plotly/.test(joined(o.data["text/html"])), `${name}: a script in an HTML output`);
      if (o.data["application/vnd.plotly.v1+json"]) assert.ok(o.data["image/png"] && !o.data["image/svg+xml"], `${name}: a figure without its one PNG`);
    }
    const code = nb.cells.filter((c) => c.cell_type === "code");
    assert.ok(code.every((c) => (c.outputs ?? []).length > 0), `${name} has a code cell without outputs`);
    assert.ok(!code.some((c) => (c.outputs ?? []).some((o) => o.output_type === "error")), `${name} has an error output`);
  }
});
