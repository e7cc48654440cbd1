import assert from "node:assert/strict";
import { test } from "node:test";
import { closeRenderer, normalizeSvgIds, renderFigure, rendererOpen, setRendererIdleMs, withTraceUids } from "../src/5-views/figures/render";
import { cacheEnv } from "../src/3-experiments/records/cache";
import { Figure } from "../src/5-views/figures/spec";

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

test("the idle close waits for renders in flight: an idle time far shorter than opening the browser still renders, then closes", async (t) => {
  // Issue 19: on a loaded machine opening the session took 34-40 s, longer than the 20 s idle time, and the
  // timer armed when the render started closed the browser under it. Here opening (~1-3 s) outlasts a 50 ms idle time.
  process.env[cacheEnv.noCache] = "1";
  setRendererIdleMs(50);
  t.after(async () => {
    delete process.env[cacheEnv.noCache];
    setRendererIdleMs(20_000);
    await closeRenderer();
  });
  const [a, b] = await Promise.all([renderFigure(fig, "svg"), renderFigure(fig, "png")]);
  assert.match(a, /Determinism check/);
  assert.ok(b.length > 1000);
  // Two renders back to back, the second started after the first ended: the idle time counts from the end of the last one.
  assert.match(await renderFigure({ ...fig, layout: { ...fig.layout, title: { text: "Second" } } }, "svg"), /Second/);
  assert.equal(rendererOpen(), true, "still open right after a render");
  const until = Date.now() + 10_000;
  while (rendererOpen() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.equal(rendererOpen(), false, "closed once idle");
});
