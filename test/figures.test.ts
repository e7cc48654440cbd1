import assert from "node:assert/strict";
import { test } from "node:test";
import { closeRenderer, normalizeSvgIds, renderFigure, withTraceUids } from "../src/figures/render";
import { Figure } from "../src/figures/spec";

const fig: Figure = {
  data: [
    { type: "scatter", mode: "lines", name: "a", x: [1, 2, 3], y: [2, 4, 8] },
    { type: "violin", name: "b", y: [1, 2, 2, 3, 5] },
  ],
  layout: { title: { text: "Determinism check" }, xaxis: { title: { text: "x (s)" } }, yaxis: { title: { text: "y (count)" }, type: "log" } },
};

test("a figure renders to identical SVG bytes in two browser sessions", async () => {
  const a = await renderFigure(fig, "svg");
  await closeRenderer();
  const b = await renderFigure(fig, "svg");
  await closeRenderer();
  assert.equal(a, b);
  assert.match(a, /Determinism check/);
  assert.match(a, /y \(count\)/);
  assert.doesNotMatch(a, /class="trace scatter trace[0-9a-f]{6}"/, "no random trace ids");
});

test("trace uids by position; ids and their references renumbered in order", () => {
  assert.deepEqual(withTraceUids(fig).data.map((t) => t.uid), ["t0", "t1"]);
  assert.equal(withTraceUids({ data: [{ uid: "keep" }], layout: {} }).data[0].uid, "keep");
  const svg = '<svg style=""><clipPath id="clip9f"><rect/></clipPath><g clip-path="url(#clip9f)"/><g id="x" href="#x"/></svg>';
  assert.equal(normalizeSvgIds(svg), '<svg><clipPath id="mb0"><rect/></clipPath><g clip-path="url(#mb0)"/><g id="mb1" href="#mb1"/></svg>');
});
