import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { checkCommitMessage, CommitNumbers, formatCommitMessage, justificationOf } from "../src/7-pack/commitMessage";
import { chromiumArgs, requireChromium } from "../src/machine/browser";
import { exportFigures } from "../src/5-views/figures/exporter";
import { Figure } from "../src/5-views/figures/spec";
import { runNode, tmpDir } from "./helpers";


const fig: Figure = {
  data: [
    { type: "bar", name: "measured", x: ["base", "my"], y: [45, 7] },
    { type: "scatter", mode: "markers", name: "boots", x: ["base", "my"], y: [44.5, 6.9] },
  ],
  layout: { title: { text: "Export check: spans" }, xaxis: { title: { text: "configuration" } }, yaxis: { title: { text: "span (s)" } }, width: 640, height: 400 },
};

test("export: SVG parses as XML with the title, PNG is 2x the layout, HTML renders offline", async (t) => {
  const dir = tmpDir(t);
  const files = await exportFigures([{ name: "export-check", figure: fig }], dir);
  assert.deepEqual(files.map((f) => path.basename(f.file)), ["export-check.svg", "export-check.png", "export-check.html"]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["export-check.html", "export-check.png", "export-check.svg"], "no temp files left");

  const svgFile = path.join(dir, "export-check.svg");
  const parsed = spawnSync("/usr/bin/python3", ["-c", "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.tag)", svgFile], { encoding: "utf8" });
  assert.equal(parsed.status, 0, parsed.stderr);
  assert.equal(parsed.stdout.trim(), "{http://www.w3.org/2000/svg}svg");
  assert.match(fs.readFileSync(svgFile, "utf8"), /Export check: spans/);

  const png = fs.readFileSync(path.join(dir, "export-check.png"));
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "PNG signature");
  assert.equal(png.subarray(12, 16).toString("ascii"), "IHDR");
  assert.equal(png.readUInt32BE(16), 1280, "width = 640 x 2");
  assert.equal(png.readUInt32BE(20), 800, "height = 400 x 2");

  const html = fs.readFileSync(path.join(dir, "export-check.html"), "utf8");
  assert.doesNotMatch(html, /<script[^>]+src\s*=\s*["']?https?:/i);
  assert.doesNotMatch(html, /<link[^>]+href\s*=\s*["']?https?:/i);
  assert.doesNotMatch(html, /<(img|iframe)[^>]+src\s*=\s*["']?https?:/i);

  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: requireChromium(), args: [...chromiumArgs], chromiumSandbox: false });
  try {
    const page = await browser.newPage();
    const external: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      external.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto("file://" + path.join(dir, "export-check.html"));
    await page.waitForSelector(".main-svg", { timeout: 20_000 });
    assert.match(await page.textContent("body") ?? "", /Export check: spans/);
    assert.equal(await page.locator(".point").count() >= 2, true, "bars drawn");
    assert.deepEqual(external, [], "no network request");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("figures without a browser: one line saying what to install, nothing written", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "figs");
  const empty = path.join(dir, "empty-path");
  fs.mkdirSync(empty);
  const none = runNode("bin/modburst.js", ["figures", "--out", out], { env: { PATH: empty, MODBURST_CHROMIUM: "" } });
  assert.equal(none.status, 3);
  assert.equal(none.stderr, "modburst: no Chromium for figure export: install the Debian package (apt-get install chromium) or set MODBURST_CHROMIUM=/path/to/chrome\n");
  const wrong = runNode("bin/modburst.js", ["figures", "--out", out], { env: { MODBURST_CHROMIUM: path.join(dir, "no-such-chrome") } });
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /^modburst: invalid MODBURST_CHROMIUM: .*no-such-chrome \(allowed: path to an executable Chromium or Chrome\)\n$/);
  assert.ok(!fs.existsSync(out));
});

const numbers: CommitNumbers = {
  subject: "module: Merge same-name module load requests",
  cpus: 288,
  requests: { acpi_cpufreq: 576, pcc_cpufreq: 288 },
  modules: ["pcc_cpufreq", "acpi_cpufreq"],
  module: "acpi_cpufreq",
  outcome: "every load fails (-EEXIST)",
  before: { means: { pcc_cpufreq: 44.998, acpi_cpufreq: 45.2 }, source: "measured" },
  after: { means: { pcc_cpufreq: 2.011, acpi_cpufreq: 6.989 }, source: "measured" },
  measuredCells: [
    { config: "base", module: "pcc_cpufreq", seconds: [45.1, 44.9] },
    { config: "my", module: "acpi_cpufreq", seconds: [7.1, 6.9] },
  ],
  simulatedCells: [
    { config: "base", module: "pcc_cpufreq", seconds: [45.3, 45.2] },
    { config: "my", module: "acpi_cpufreq", seconds: [6.8, 7.0] },
  ],
  seed: 1,
  fullLoads: { base: 864, merge: 73, revert: 98, "no-wait-going": 75, idempotent: 67 },
  predictedSpan: { "no-wait-going": { mean: 7.04, p5: 6.9, p95: 7.2 }, idempotent: { mean: 6.93, p5: 6.8, p95: 7.1 } },
  peakVmallocMiB: { base: 50.12, merge: 1.96, idempotent: 0.149 },
  largerCpus: 1024,
  largerSpan: { base: { mean: 405.2, p5: 380.4, p95: 431.9 }, merge: { mean: 17.24, p5: 16.1, p95: 18.3 } },
  unseen: { seed: 1000004, maxAbsErrorPct: 3.21, refits: 30, variants: ["reference"] },
  fit: {
    ok: true, converged: true, stopReason: "step below 0.01 in every coordinate", nearBoundShare: 0.01, atBounds: [], level: 0.95, unseenSeed: 1000004,
    cells: [{ config: "base", policy: "base", module: "pcc_cpufreq", measuredBoots: 2, measuredMean: 45, lo: 43.7, hi: 46.3, simulatedMean: 45.3, errorPct: 0.67, inside: true }],
    outside: 0, maxAbsErrorPct: 3.21, widenFactor: 1,
  },
  external: [{ cpus: 192, policy: "base", module: "acpi_cpufreq", reported: 5.57, predicted: 5.1, errorPct: 9.2 }],
  figures: [{ name: "span-vs-cpus", title: "acpi_cpufreq: span vs CPU count (init fails after 0 ms; median, 5-95% band)", formats: ["svg", "png", "html"] }],
  version: "0.1.0",
};

test("the commit message: ASCII, <= 72 columns, a 3-6 line justification carrying the numbers", () => {
  const text = formatCommitMessage(numbers);
  const c = checkCommitMessage(text);
  assert.equal(c.ascii, true);
  assert.ok(c.maxLineLength <= 72, String(c.maxLineLength));
  const j = justificationOf(numbers).split("\n");
  assert.ok(j.length >= 3 && j.length <= 6, `${j.length} lines`);
  for (const s of ["288-CPU", "288 times", "576 times", "all 864 loads", "45.0 s / 45.2 s", "2.0 s / 7.0 s", "73 full loads instead of 864", "v6.2 7.0 s (90% interval 6.9-7.2)", "v6.5 6.9 s", "1024", "405 s (90% interval 380-432)", "17.2 s (16.1-18.3) with it", "within 3.2%", "192 CPUs", "base acpi 5.57 s vs 5.10 s"]) {
    assert.ok(text.replace(/\n/g, " ").includes(s), `missing "${s}"`);
  }
  assert.equal(text.split("\n")[0], numbers.subject, "the subject line is the study's patch");
  assert.equal(formatCommitMessage({ ...numbers, subject: "drm: Load once" }).split("\n")[0], "drm: Load once");
  // Each column of the e-mail tables with the decimals its values need.
  assert.match(text, /^\| Avg  \|   45\.0 \|    7\.0 \|$/m);
  assert.match(text, /^\| Avg  \|  45\.25 \|    6\.9 \|$/m);
  assert.match(text.replace(/\n/g, " "), /model \(random seed 1, the same 2 boots for every configuration\):/);
  assert.match(text, /50\.1 MiB on\s+6\.0-rc3, 2\.0 MiB with this patch,\s+0\.15 MiB on v6\.5/);
  assert.match(text, /^ {2}span-vs-cpus\.\{svg,png,html\}$/m);
  assert.throws(() => formatCommitMessage({ ...numbers, version: "0.1.0\u00e9" }), /non-ASCII character U\+e9/);
  // The fit's quality ends the first paragraph; a fit that is not flagged keeps the refits' 90% intervals.
  assert.match(text.split("\n\n")[1].replace(/\n/g, " "), /Model fit: converged, no free parameter at a bound, and on boots it never saw every model mean is inside the measured mean's 95% interval \(worst miss 3\.2%\)\.$/);
});

test("the commit message of a flagged fit: the first paragraph says why, and every interval is named widened", () => {
  const flagged = { ...numbers.fit, ok: false, converged: false, stopReason: "iteration limit 3 reached; then Gauss-Newton steps", widenFactor: 1.28, maxAbsErrorPct: 22,
    atBounds: [{ name: "herdRecheckUs", value: 50, lo: 1, hi: 50, bound: "upper" as const, positionPct: 100 }, { name: "bootPaceSigma", value: 0.6, lo: 0.005, hi: 0.6, bound: "upper" as const, positionPct: 100 }] };
  const text = formatCommitMessage({ ...numbers, fit: flagged });
  const c = checkCommitMessage(text);
  assert.equal(c.ascii, true);
  assert.ok(c.maxLineLength <= 72, String(c.maxLineLength));
  const first = text.split("\n\n")[1].replace(/\n/g, " ");
  assert.match(first, /MODEL FIT FLAGGED: the calibration did NOT converge \(iteration limit 3 reached\) and leaves herdRecheckUs and bootPaceSigma at or near their bounds, which the measured spans cannot pin down\. Its worst miss on boots it never saw is 22\.0%\. The model's numbers below are indicative only, and their intervals are widened x1\.28 to cover that miss\.$/);
  const flat = text.replace(/\n/g, " ");
  for (const s of ["405 s (90% interval widened x1.28: 380-432)", "v6.2 7.0 s (90% interval widened x1.28: 6.9-7.2)", "each widened x1.28 (to p5 / 1.28 and p95 x 1.28) because the fit is flagged."]) assert.ok(flat.includes(s), `missing "${s}"`);
});
