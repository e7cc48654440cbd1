import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { joined, readNotebook, root, runNode, scratchDir } from "../helpers";

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
  assert.match(stdout, /^ok {3}00-environment\.ipynb +\d+\.\d s  1 record computed \(figure-png\), 0 reused$/m);
  assert.match(stdout, /^reproduce: 1 notebooks executed in/m);
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  assert.equal(outputs.filter((o) => o.output_type === "error").length, 0);
  // Every code cell but the parameters cell (which only names the study) shows something.
  const isParameters = (c: { metadata?: { tags?: string[] } }) => (c.metadata?.tags ?? []).includes("parameters");
  for (const c of nb.cells) if (c.cell_type === "code" && !isParameters(c as { metadata?: { tags?: string[] } })) assert.ok((c.outputs ?? []).length > 0, `no output: ${joined(c.source).slice(0, 40)}`);

  const texts = outputs.map((o) => joined(o.text) + joined(o.data?.["text/plain"])).join("\n");
  assert.match(texts, /tslab +1\.0\.22/);
  assert.match(texts, /typescript \(tslab\) +5\.0\.\d/);
  assert.match(texts, /invalid cpus: -5 \(allowed integer 1\.\.16384\)/);
  // The danfojs DataFrame as a table, in both text and HTML.
  assert.match(texts, /no-wait-going +v6\.2 +0254127ab977/);
  assert.ok(outputs.some((o) => /<table[^>]*>.*<td[^>]*>idempotent<\/td>/s.test(joined(o.data?.["text/html"]))));

  // One figure output: the plotly figure as JSON (interactive in JupyterLab and VS Code), one static PNG, a text title.
  const figure = outputs.find((o) => o.data?.["application/vnd.plotly.v1+json"]);
  assert.ok(figure, "the figure is an application/vnd.plotly.v1+json output");
  assert.deepEqual(Object.keys(figure.data).sort(), ["application/vnd.plotly.v1+json", "image/png", "text/plain"], "each representation once, no HTML, no SVG copy");
  const spec = figure.data["application/vnd.plotly.v1+json"];
  assert.equal(typeof spec, "object", "the figure is stored as JSON, not as a string");
  assert.match(spec.layout.title.text, /Load requests per boot on a 288-CPU machine/);
  assert.equal(spec.layout.yaxis.title.text, "load requests per boot (count)");
  assert.deepEqual(Object.fromEntries(spec.data.map((t: { name: string; y: number[] }) => [t.name, t.y[0]])), { pcc_cpufreq: 288, acpi_cpufreq: 576 });
  const png = Buffer.from(joined(figure.data["image/png"]), "base64");
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "a PNG");
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [640, 400], "the figure's own size");
  assert.equal(joined(figure.data["text/plain"]), "[figure: Load requests per boot on a 288-CPU machine]");
  const raw = fs.readFileSync(file, "utf8");
  assert.doesNotMatch(raw, /Plotly\.newPlot|<script/, "no plotly.js or script inlined");

  // Re-running gives the same bytes (timing metadata is not recorded), reusing the cached image: a cold and a warm run agree.
  const first = fs.readFileSync(file);
  const again = runNode("bin/modburst.js", ["reproduce", "--dir", path.dirname(file)], { env });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^ok {3}00-environment\.ipynb +\d+\.\d s  recomputed nothing \(1 record reused\)$/m);
  assert.ok(fs.readFileSync(file).equals(first), "second execution (warm) is byte-identical");
});

