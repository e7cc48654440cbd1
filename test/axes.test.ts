/**
 * Readable numbers: log axes whose range holds every value and whose ticks are
 * written out (1-2-5 with units, never plotly's "2 3 4 5" minor digits), and
 * tables whose columns each show one number of decimals.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { logTicks, maxTicks, secondsAxis, tickLabel, valueAxis } from "../src/5-views/figures/axes";
import { measuredVsSimulatedFigure } from "../src/5-views/figures/reproduce";
import { countsFigure } from "../src/5-views/figures/distributions";
import { columnDecimals, formatHtmlTable, formatTextTable } from "../src/5-views/tables/format";
import { formatSeedLayout } from "../src/5-views/tables/seedLayout";
import { simulateBoot } from "../src/1-model/boot";
import { defaultParams } from "../src/1-model/params";
import { seedScenario } from "../src/1-model/scenarios";

type LogAxis = { type: string; range: [number, number]; tickvals: number[]; ticktext: string[]; title: { text: string } };

test("the seed's spans (1.7-45.8 s) read 2 s, 5 s, 10 s, 20 s, 50 s; 45 s is never a '4.5'", () => {
  const a = secondsAxis([1.685, 2.011, 6.989, 9.424, 44.306, 45.771]) as LogAxis;
  assert.equal(a.type, "log");
  assert.deepEqual(a.ticktext, ["2 s", "5 s", "10 s", "20 s", "50 s"]);
  assert.equal(a.title.text, "first to last load attempt (s, log scale)");
  // Bars start at the decade below the smallest value.
  const bars = secondsAxis([1.685, 45.771], { fromDecade: true }) as LogAxis;
  assert.equal(bars.range[0], 0);
  assert.deepEqual(bars.ticktext, ["1 s", "2 s", "5 s", "10 s", "20 s", "50 s"]);
});

test("a study's 0.31 s is inside its axis, with labels at its own scale", () => {
  const a = secondsAxis([0.31, 0.33, 44.9, 45.2], { fromDecade: true }) as LogAxis;
  assert.ok(a.range[0] <= Math.log10(0.31) && a.range[1] >= Math.log10(45.2), String(a.range));
  assert.deepEqual(a.ticktext, ["0.1 s", "0.2 s", "0.5 s", "1 s", "2 s", "5 s", "10 s", "20 s", "50 s"]);
  const narrow = secondsAxis([0.047, 0.051, 0.055]) as LogAxis;
  assert.ok(narrow.ticktext.length >= 2, narrow.ticktext.join(","));
  assert.ok(narrow.ticktext.every((t) => /^0\.0\d+ s$/.test(t)), narrow.ticktext.join(","));
});

test("log axes: for any positive values, the range holds them all, 2 to 10 ticks inside it, labels plain and distinct", () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 1e-4, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.boolean(), (vs, fromDecade) => {
      const a = valueAxis(vs, { title: "t", unit: "u", fromDecade }) as LogAxis;
      assert.equal(a.type, "log");
      const [lo, hi] = a.range;
      for (const v of vs) assert.ok(Math.log10(v) >= lo && Math.log10(v) <= hi, `${v} outside [${lo}, ${hi}]`);
      assert.ok(a.tickvals.length >= 2 && a.tickvals.length <= maxTicks, `${a.tickvals.length} ticks: ${a.ticktext}`);
      for (const t of a.tickvals) assert.ok(Math.log10(t) >= lo - 1e-12 && Math.log10(t) <= hi + 1e-12, `tick ${t} outside the range`);
      assert.equal(new Set(a.ticktext).size, a.ticktext.length, a.ticktext.join(","));
      for (const l of a.ticktext) assert.match(l, /^\d+(\.\d+)?[kM]?$/, "no exponent, no sign");
    }),
    { numRuns: 300 },
  );
});

test("a value a log scale cannot show (0) makes the axis linear, with 0 inside its range", () => {
  const a = secondsAxis([0, 0.049, 0.414]) as { type: string; range: number[]; title: { text: string } };
  assert.equal(a.type, "linear");
  assert.ok(a.range[0] < 0 && a.range[1] > 0.414);
  assert.equal(a.title.text, "first to last load attempt (s)");
});

test("tick sets: 1-2-5, decades when that is too many, finer on a narrow range; labels 0.05, 1.5, 2000, 20k, 1M", () => {
  assert.deepEqual(logTicks(1, 100), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual(logTicks(1, 1e7), [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7]);
  assert.deepEqual(logTicks(1e-3, 1e12).length <= maxTicks, true);
  assert.deepEqual(logTicks(4, 9), [4, 5, 6, 7, 8]);
  assert.deepEqual([0.05, 1.5, 2000, 20000, 1e6, 2.5e6].map(tickLabel), ["0.05", "1.5", "2000", "20k", "1M", "2.5M"]);
});

test("every log axis of a figure goes through the helper: the counts panels (vmalloc too) have written-out labels", () => {
  const sc = seedScenario(16);
  const boots = (policy: string) => [1, 2, 3].map((boot) => simulateBoot({ policy, scenario: sc, params: defaultParams(), seed: 1, boot }));
  const fig = countsFigure({ base: boots("base"), merge: boots("merge") });
  for (const k of ["yaxis", "yaxis2", "yaxis3"]) {
    const a = fig.layout[k] as LogAxis;
    assert.equal(a.type, "log", k);
    assert.ok(a.ticktext.length >= 2, k);
  }
  const mvs = measuredVsSimulatedFigure([{ config: "base", policy: "base", module: "m", measured: [45.1, 44.9], simulated: [45, 46, 44, 45, 45] }], "study x");
  assert.equal(mvs.layout.title && (mvs.layout.title as { text: string }).text, "Two-boot spans: measured (study x) vs calibrated model (5 simulated boots)");
});

test("table columns: one number of decimals each, chosen from the column's values", () => {
  assert.equal(columnDecimals([51, 20.5, 57, 75.5]), 1);
  assert.equal(columnDecimals([864, 109, 81]), 0);
  assert.equal(columnDecimals([45.2061234, 2.1]), 3, "at most the table's digits");
  assert.equal(columnDecimals([0.1 + 0.2]), 1, "floating-point noise is not a decimal");
  assert.equal(columnDecimals(["a", null, 2.25]), 2, "text and empty cells are skipped");
  const table = { columns: ["policy", "percentile", "loads", "mean s"], rows: [["base", 51, 864, 45.2061], ["merge", 20.5, 81, 6.934], ["x", 57, 73, null]] };
  const text = formatTextTable(table);
  assert.equal(
    text,
    [
      "policy  percentile  loads  mean s",
      "------  ----------  -----  ------",
      "base          51.0    864  45.206",
      "merge         20.5     81   6.934",
      "x             57.0     73",
    ].join("\n"),
  );
  const html = formatHtmlTable(table);
  assert.match(html, />51\.0<\/td>.*>864<\/td>.*>45\.206<\/td>/);
  assert.match(html, />57\.0<\/td>/);
});

test("the e-mail layout: each column's boots and Avg with one number of decimals (3 for the seed's millisecond spans)", () => {
  const text = formatSeedLayout([
    { config: "base", module: "pcc_cpufreq", seconds: [45.374, 44.727, 45.45, 44.306, 45.132] },
    { config: "my", module: "pcc_cpufreq", seconds: [2.1, 1.9] },
  ]);
  assert.match(text, /^\| #3 +\| +45\.450 \| +\|$/m, "no third boot of my");
  assert.match(text, /^\| #1 +\| +45\.374 \| +2\.1 \|$/m);
  assert.match(text, /^\| Avg +\| +44\.998 \| +2\.0 \|$/m);
});
