/**
 * A study that is not the seed gets a pack about itself: a two-boot variant of
 * the tiny fixture goes through the README's flow (`calibrate --study`, then
 * `figures --study`), and its exported figures, opened in the real browser,
 * show every value they plot inside their axes' ranges, every log axis with
 * written-out labels, and no word of the seed study in the figures or the
 * commit message.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { chromiumArgs, requireChromium } from "../src/machine/browser";
import { runNode, studyFixtureCopy } from "./helpers";

const patch = "module: Let duplicate tiny_cpufreq requests wait for the first load";
const measured = { base: [0.361, 0.348], my: [0.051, 0.047] };

/**
 * The seed study's words. "seed N" and "random seed N" name a random number
 * generator's seed, not the seed study, and are taken out before the check.
 */
const seedWords = [/seed/i, /Pavlu/i, /\b288\b/, /pcc_cpufreq/, /acpi_cpufreq/, /Merge same-name/i];
const rngSeed = /\b(random )?seed \d+/gi;

function seedWordsIn(text: string): string[] {
  const t = text.replace(rngSeed, "");
  return seedWords.filter((w) => w.test(t)).map(String);
}

interface RenderedAxis {
  type: string;
  range: number[];
  tickmode?: string;
  ticktext?: string[];
}
interface Rendered {
  data: Array<Record<string, any>>;
  axes: Record<string, RenderedAxis>;
}

/** The values a trace draws along each of its axes (by the layout's axis name, e.g. "yaxis2"). */
function drawnValues(t: Record<string, any>): Array<[string, unknown[]]> {
  const xa = `xaxis${(t.xaxis ?? "x").slice(1)}`;
  const ya = `yaxis${(t.yaxis ?? "y").slice(1)}`;
  if (t.type === "heatmap") return []; // categories on both axes; the colours are z
  if (t.type === "box") return [[ya, ["q1", "median", "q3", "lowerfence", "upperfence"].flatMap((k) => t[k] ?? [])]];
  const out: Array<[string, unknown[]]> = [
    [xa, t.x ?? []],
    [ya, t.y ?? []],
  ];
  const bars = (axis: string, at: unknown[], e: { array?: number[]; arrayminus?: number[] } | undefined) => {
    if (!e?.array) return;
    out.push([axis, at.map((v, i) => (v as number) + e.array![i])]);
    out.push([axis, at.map((v, i) => (v as number) - (e.arrayminus ?? e.array!)[i])]);
  };
  bars(ya, t.y ?? [], t.error_y);
  bars(xa, t.x ?? [], t.error_x);
  return out;
}

/** Where a value falls outside its rendered axis, one line each. */
function outside(name: string, r: Rendered): string[] {
  const bad: string[] = [];
  for (const t of r.data) {
    for (const [axis, values] of drawnValues(t)) {
      const a = r.axes[axis];
      assert.ok(a, `${name}: trace ${t.name} on ${axis}, which the layout lacks`);
      if (a.type === "category") continue;
      const [lo, hi] = [Math.min(...a.range), Math.max(...a.range)];
      for (const v of values) {
        if (v === null || v === undefined) continue;
        assert.equal(typeof v, "number", `${name}: ${axis} of a ${a.type} axis holds ${JSON.stringify(v)}`);
        const at = a.type === "log" ? ((v as number) > 0 ? Math.log10(v as number) : -Infinity) : (v as number);
        if (!(at >= lo - 1e-9 && at <= hi + 1e-9)) bad.push(`${name}: trace "${t.name}" value ${v} outside ${axis} ${a.type} range [${a.range}]`);
      }
    }
  }
  return bad;
}

test("a two-boot study's pack: its own patch subject and boot counts, every value inside its figure's axes, labelled log axes, no seed wording", async (t) => {
  const dir = studyFixtureCopy(t, (j) => {
    j.title = "SYNTHETIC test study: 8 CPUs, one module, two boots of base and of merge";
    j.patch = patch;
  });
  fs.writeFileSync(
    path.join(dir, "measured.csv"),
    ["config,policy,module,boot,seconds", ...Object.entries(measured).flatMap(([c, xs]) => xs.map((x, i) => `${c},${c === "base" ? "base" : "merge"},tiny_cpufreq,${i + 1},${x}`))].join("\n") + "\n",
  );
  const env = { MODBURST_CACHE_DIR: path.join(path.dirname(dir), "cache") };
  const cal = runNode("bin/modburst.js", ["calibrate", "--study", dir], { env, timeoutMs: 300_000 });
  assert.equal(cal.status, 0, cal.stderr + cal.stdout);
  const fig = runNode("bin/modburst.js", ["figures", "--study", dir], { env, timeoutMs: 300_000 });
  assert.equal(fig.status, 0, fig.stderr + fig.stdout);
  const packDir = path.join(dir, "figures");

  // The commit message is about this study: its subject line, its boot counts, no seed wording.
  const message = fs.readFileSync(path.join(packDir, "commit-message.txt"), "utf8");
  const flat = message.replace(/\s+/g, " ");
  assert.equal(message.split("\n")[0], patch);
  assert.match(flat, /Measured \(2 boots per configuration;/);
  assert.match(flat, /the same 5 boots for every configuration; the measured table has 2\)/);
  assert.match(flat, /Two-boot spans: measured \(study tiny, synthetic\) vs calibrated model \(5 simulated boots\)/);
  assert.match(flat, /expected span vs CPU count, with the calibration's 90% interval base-merge-ratio/, "no external measurements named");
  assert.deepEqual(seedWordsIn(message), [], message);

  const names = fs.readdirSync(packDir).filter((f) => f.endsWith(".html")).map((f) => f.slice(0, -5)).sort();
  assert.deepEqual(names, ["base-merge-ratio", "measured-vs-simulated", "span-vs-cpus", "timeline-base", "timeline-merge"]);
  for (const name of names) {
    // What a reader sees in the static figure: every text element of the SVG.
    const svgText = [...fs.readFileSync(path.join(packDir, `${name}.svg`), "utf8").matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).join("\n");
    assert.ok(svgText.length > 0, name);
    assert.deepEqual(seedWordsIn(svgText), [], `${name}.svg: ${svgText}`);
  }

  // Each exported page as plotly drew it: the data and the axes' final ranges.
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: requireChromium(), args: [...chromiumArgs], chromiumSandbox: false });
  const rendered: Record<string, Rendered> = {};
  try {
    const page = await browser.newPage();
    for (const name of names) {
      await page.goto("file://" + path.join(packDir, `${name}.html`));
      await page.waitForSelector(".main-svg", { timeout: 30_000 });
      rendered[name] = await page.evaluate(() => {
        // Runs in the page: the exported HTML draws into #figure.
        const gd = (globalThis as any).document.getElementById("figure");
        const axes = Object.fromEntries(
          Object.entries(gd._fullLayout as Record<string, any>)
            .filter(([k]) => /^[xy]axis\d*$/.test(k))
            .map(([k, a]) => [k, { type: a.type, range: [...a.range], tickmode: a.tickmode, ticktext: a.ticktext }]),
        );
        return { data: JSON.parse(JSON.stringify(gd.data)), axes };
      });
    }
  } finally {
    await browser.close();
  }

  const bad = names.flatMap((n) => outside(n, rendered[n]));
  assert.deepEqual(bad, []);
  // The measured boots are among the values checked: the measured-vs-simulated figure plots exactly the CSV's.
  const boots = rendered["measured-vs-simulated"].data.find((d) => d.name === "measured boots");
  assert.deepEqual([...boots!.y].sort(), [...measured.base, ...measured.my].sort());
  for (const name of names) {
    for (const [axis, a] of Object.entries(rendered[name].axes)) {
      if (a.type !== "log") continue;
      assert.equal(a.tickmode, "array", `${name} ${axis}: ticks written out`);
      assert.ok((a.ticktext ?? []).length >= 2, `${name} ${axis}: at least two labelled ticks`);
    }
    assert.deepEqual(seedWordsIn(JSON.stringify(rendered[name].data.map((d) => [d.name, d.hovertemplate]))), [], `${name}: trace names`);
  }
});
