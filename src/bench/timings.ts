/**
 * Targets measured outside the bench (whole commands, timed by whoever runs
 * them), read from an optional data/derived/timings.json:
 * `{ "reproduceColdSeconds": n, "reproduceWarmSeconds": n, "testSeconds": n, "testJupyterSeconds": n, "measuredAt": "ISO date" }`.
 * No file, or no field, is "not measured"; a file that is there but wrong is an
 * error, so a typo never passes for a missing measurement.
 */
import * as fs from "fs";
import * as path from "path";
import * as v from "valibot";
import { num, obj, str } from "../core/schema/issues";
import { readJsonFile } from "../core/schema/readJson";
import { judge, Target } from "./targets";

const external = [
  { key: "reproduceColdSeconds", name: "cold npm run reproduce", targetS: 60 },
  { key: "reproduceWarmSeconds", name: "warm npm run reproduce", targetS: 25 },
  { key: "testSeconds", name: "npm test", targetS: 120 },
  // The notebooks under the real Jupyter, tslab and JupyterLab (test/jupyter/): kernels and a browser, so slower.
  { key: "testJupyterSeconds", name: "npm run test:jupyter", targetS: 150 },
] as const;

const seconds = v.optional(num(0));
const timingsSchema = obj({
  reproduceColdSeconds: seconds,
  reproduceWarmSeconds: seconds,
  testSeconds: seconds,
  testJupyterSeconds: seconds,
  measuredAt: v.optional(v.pipe(str, v.isoTimestamp("an ISO date"))),
});

/** `file` is named relative to `root` in notes. */
export function externalTargets(file: string, root: string): Target[] {
  const shown = path.relative(root, file);
  const record: v.InferOutput<typeof timingsSchema> = fs.existsSync(file) ? readJsonFile(file, "timings file", timingsSchema) : {};
  const at = record.measuredAt;
  const source = fs.existsSync(file) ? `timings.json${at !== undefined ? `, measured ${at}` : ""}` : `no ${shown}`;
  return external.map((e) => {
    const measured = record[e.key];
    const note = measured !== undefined ? source : fs.existsSync(file) ? `not in timings.json` : source;
    return judge({ name: e.name, measured: measured ?? null, target: e.targetS, unit: "s", bound: "max", note });
  });
}
