import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { joined, readNotebook, root, runNode, scratchDir } from "./helpers";

/** Execute a copy of a committed notebook (outputs cleared first) through Jupyter + tslab. */
function executeCopy(t: { after(fn: () => void): void }, name: string) {
  const dir = scratchDir(t);
  const nb = readNotebook(path.join(root, "notebooks", name));
  for (const c of nb.cells) if (c.cell_type === "code") c.outputs = [];
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
  // An empty results cache of its own: the first run computes the figure's image, the second reuses it.
  const env = { MODBURST_CACHE_DIR: path.join(dir, "cache") };
  const r = runNode("bin/modburst.js", ["reproduce", "--dir", dir], { env });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return { file, nb: readNotebook(file), stdout: r.stdout, env };
}

test("00-environment runs under the real tslab kernel and keeps table text and a static image", (t) => {
  const { file, nb, stdout, env } = executeCopy(t, "00-environment.ipynb");
  assert.match(stdout, /^ok {3}00-environment\.ipynb +\d+\.\d s  1 record computed \(figure-svg\), 0 reused$/m);
  assert.match(stdout, /^reproduce: 1 notebooks executed in/m);
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  assert.equal(outputs.filter((o) => o.output_type === "error").length, 0);
  for (const c of nb.cells) if (c.cell_type === "code") assert.ok((c.outputs ?? []).length > 0, `no output: ${joined(c.source).slice(0, 40)}`);

  const texts = outputs.map((o) => joined(o.text) + joined(o.data?.["text/plain"])).join("\n");
  assert.match(texts, /tslab +1\.0\.22/);
  assert.match(texts, /typescript \(tslab\) +5\.0\.\d/);
  assert.match(texts, /invalid cpus: -5 \(allowed integer 1\.\.16384\)/);
  // The danfojs DataFrame as a table, in both text and HTML.
  assert.match(texts, /no-wait-going +v6\.2 +0254127ab977/);
  assert.ok(outputs.some((o) => /<table[^>]*>.*<td[^>]*>idempotent<\/td>/s.test(joined(o.data?.["text/html"]))));

  const figure = outputs.find((o) => o.data?.["image/svg+xml"]);
  assert.ok(figure, "the plotly figure leaves an image/svg+xml output");
  const svg = joined(figure.data["image/svg+xml"]);
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /Load requests per boot on a 288-CPU machine/);
  assert.match(svg, /load requests per boot \(count\)/);
  const html = joined(figure.data["text/html"]);
  assert.match(html, /window\.Plotly\.newPlot/, "interactive in JupyterLab");
  assert.match(html, /<img alt="Load requests[^"]*" src="data:image\/svg\+xml;base64,/, "static fallback inside the HTML");
  assert.doesNotMatch(html, /<script[^>]+src=/, "no external script: works offline");

  // Re-running gives the same bytes (timing metadata is not recorded; SVG ids are renumbered), reusing the cached image;
  // and so does a run that recomputes every record.
  const first = fs.readFileSync(file);
  const again = runNode("bin/modburst.js", ["reproduce", "--dir", path.dirname(file)], { env });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^ok {3}00-environment\.ipynb +\d+\.\d s  recomputed nothing \(1 record reused\)$/m);
  assert.ok(fs.readFileSync(file).equals(first), "second execution (warm) is byte-identical");
  const uncached = runNode("bin/modburst.js", ["reproduce", "--dir", path.dirname(file), "--no-cache"], { env });
  assert.equal(uncached.status, 0, uncached.stderr);
  assert.ok(fs.readFileSync(file).equals(first), "an execution without the cache is byte-identical");
});

test("the committed notebooks are saved executed, without errors", () => {
  const dir = path.join(root, "notebooks");
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
    const nb = readNotebook(path.join(dir, name));
    const code = nb.cells.filter((c) => c.cell_type === "code");
    assert.ok(code.every((c) => (c.outputs ?? []).length > 0), `${name} has a code cell without outputs`);
    assert.ok(!code.some((c) => (c.outputs ?? []).some((o) => o.output_type === "error")), `${name} has an error output`);
  }
});
