/**
 * Data flows one way: experiments produce records, figures and tables read
 * records, reports read figures and records. No module imports from a layer
 * above its own.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { root } from "./helpers";

/**
 * Layer of each folder of src/, lowest first. The pipeline's stages are numbered
 * folders, in the order data flows through them; core/ is what they all stand on;
 * machine/ (set-up of Jupyter, the browser and Slurm), cluster/ (Slurm job arrays),
 * bench/ and cli/ sit beside the pipeline. A sub-folder listed here has its own layer inside its stage.
 */
export const layers: Record<string, number> = {
  core: 0,
  "1-model/sim": 1,
  "1-model": 2,
  "2-measurements": 3,
  machine: 3,
  cluster: 3, // Slurm job arrays: submit, watch, collect (the commands give it the work)
  "3-experiments/parallel": 3,
  "3-experiments/sweep": 4,
  "3-experiments/calibrate": 4,
  "3-experiments/records": 5,
  "4-studies": 6,
  "5-views": 7,
  "6-notebooks": 8,
  "7-pack": 9,
  bench: 9,
  cli: 10,
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

/** The most specific folder of `layers` that holds `file` ("" for src/'s own index.ts). */
const layerOf = (src: string, file: string) => {
  const dir = path.relative(src, path.dirname(file)).split(path.sep).join("/");
  const keys = Object.keys(layers).filter((k) => dir === k || dir.startsWith(k + "/"));
  return keys.sort((x, y) => y.length - x.length)[0] ?? dir;
};

test("no module imports from a layer above its own", () => {
  const src = path.join(root, "src");
  const violations: string[] = [];
  for (const file of sources(src)) {
    if (path.relative(src, file) === "index.ts") continue; // what notebooks import: everything, on purpose
    const from = layerOf(src, file);
    assert.ok(from in layers, `src/${path.relative(src, file)} is in no folder of test/layers.test.ts`);
    for (const m of fs.readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
      const to = layerOf(src, path.resolve(path.dirname(file), m[1]));
      if (layers[to] > layers[from]) violations.push(`${path.relative(root, file)} (${from}) imports ${m[1]} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});

test("listing src/ shows the pipeline's stages in order", () => {
  const stages = fs.readdirSync(path.join(root, "src")).filter((d) => /^\d-/.test(d)).sort();
  assert.deepEqual(stages.map((d) => Number(d[0])), stages.map((_, i) => i + 1), "stages are numbered 1, 2, 3, ... without gaps");
  const lowest = (stage: string) => Math.min(...Object.entries(layers).filter(([k]) => k === stage || k.startsWith(stage + "/")).map(([, l]) => l));
  const highest = (stage: string) => Math.max(...Object.entries(layers).filter(([k]) => k === stage || k.startsWith(stage + "/")).map(([, l]) => l));
  for (let i = 1; i < stages.length; i++) assert.ok(lowest(stages[i]) >= highest(stages[i - 1]), `${stages[i]} sits below ${stages[i - 1]}`);
});
