/**
 * Targets measured outside the bench (whole commands, timed by whoever runs
 * them), read from an optional data/derived/timings.json:
 * `{ "reproduceColdSeconds": n, "reproduceWarmSeconds": n, "testSeconds": n, "testJupyterSeconds": n, "measuredAt": "ISO date" }`.
 * No file, or no field, is "not measured"; a file that is there but wrong is an
 * error, so a typo never passes for a missing measurement.
 */
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../core/errors";
import { maxJsonFileBytes, readFileCapped } from "../core/fsutil";
import { judge, Target } from "./targets";

const external = [
  { key: "reproduceColdSeconds", name: "cold npm run reproduce", targetS: 60 },
  { key: "reproduceWarmSeconds", name: "warm npm run reproduce", targetS: 25 },
  { key: "testSeconds", name: "npm test", targetS: 120 },
  // The notebooks under the real Jupyter, tslab and JupyterLab (test/jupyter/): kernels and a browser, so slower.
  { key: "testJupyterSeconds", name: "npm run test:jupyter", targetS: 150 },
] as const;

/** `file` is named relative to `root` in notes and errors. */
export function externalTargets(file: string, root: string): Target[] {
  const shown = path.relative(root, file);
  let record: Record<string, unknown> = {};
  let source = `no ${shown}`;
  if (fs.existsSync(file)) {
    const text = readFileCapped(file, maxJsonFileBytes, (p) => new UserError(`invalid timings file ${shown}: ${p.detail} (allowed: a regular JSON file of at most ${maxJsonFileBytes} bytes)`));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new UserError(`invalid timings file ${shown}: ${(err as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UserError(`invalid timings file ${shown}: not a JSON object`);
    record = parsed as Record<string, unknown>;
    const at = record.measuredAt;
    if (at !== undefined && (typeof at !== "string" || Number.isNaN(Date.parse(at)))) {
      throw new UserError(`invalid timings file ${shown}: measuredAt ${JSON.stringify(at)} is not an ISO date`);
    }
    source = `timings.json${typeof at === "string" ? `, measured ${at}` : ""}`;
  }
  return external.map((e) => {
    const v = record[e.key];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0)) {
      throw new UserError(`invalid timings file ${shown}: ${e.key} ${JSON.stringify(v)} (allowed a number of seconds >= 0)`);
    }
    const note = v !== undefined ? source : fs.existsSync(file) ? `not in timings.json` : source;
    return judge({ name: e.name, measured: v ?? null, target: e.targetS, unit: "s", bound: "max", note });
  });
}
