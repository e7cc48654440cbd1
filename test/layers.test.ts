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

/** Layer of each folder of src/, lowest first ("." is src/'s own files: errors, paths, file writes). */
export const layers: Record<string, number> = {
  ".": 0,
  schema: 1, // valibot rules and the one JSON reader: every input's schema builds on it
  sim: 1,
  model: 2,
  stats: 1, // plain numbers in and out: the model takes its means from it
  data: 3,
  studies: 3,
  measure: 3,
  parallel: 3,
  env: 3,
  calibrate: 4,
  sweep: 4,
  records: 5,
  tables: 6,
  figures: 6,
  export: 7,
  reports: 8,
  notebooks: 9,
  bench: 9,
  cluster: 9, // Slurm job arrays: sweep and calibration runs as array tasks, merged by the sweep code
  cli: 10,
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

const layerOf = (src: string, file: string) => {
  const top = path.relative(src, file).split(path.sep);
  return top.length === 1 ? "." : top[0];
};

test("no module imports from a layer above its own", () => {
  const src = path.join(root, "src");
  const violations: string[] = [];
  for (const file of sources(src)) {
    if (path.relative(src, file) === "index.ts") continue; // what notebooks import: everything, on purpose
    const from = layerOf(src, file);
    assert.ok(from in layers, `src/${from}/ has no layer in test/layers.test.ts`);
    for (const m of fs.readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
      const to = layerOf(src, path.resolve(path.dirname(file), m[1]));
      if (layers[to] > layers[from]) violations.push(`${path.relative(root, file)} (${from}) imports ${m[1]} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});
