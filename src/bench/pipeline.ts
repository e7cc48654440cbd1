/**
 * `modburst bench --pipeline`: time the whole commands a user waits for and
 * write them to data/derived/timings.json, which the bench then judges:
 * `npm run reproduce` with an empty results cache (cold), the same again
 * (warm), `npm test` and `npm run test:jupyter`. Notebooks come out byte-identical each time, so the
 * runs leave the checkout as it was when its notebooks were current.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UserError } from "../core/errors";
import { writeFileAtomic } from "../core/fsutil";
import { paths } from "../core/paths";

function timed(label: string, args: string[], env: NodeJS.ProcessEnv, log: (l: string) => void): number {
  log(`bench --pipeline: ${label} ...`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync("npm", args, { cwd: paths.root, env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    const last = (r.stderr ?? "").trim().split("\n").pop() ?? "";
    throw new UserError(`bench --pipeline: ${label} failed (exit ${r.status ?? r.signal}): ${last}`, 1);
  }
  log(`bench --pipeline: ${label}: ${seconds.toFixed(1)} s`);
  return seconds;
}

export function measurePipeline(file: string, log: (l: string) => void): void {
  // Check the output before minutes of work.
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.accessSync(path.dirname(file), fs.constants.W_OK);
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "modburst-bench-cache-"));
  try {
    const env = { ...process.env, MODBURST_CACHE_DIR: cache };
    const reproduceColdSeconds = timed("cold npm run reproduce (empty cache)", ["run", "reproduce", "--silent"], env, log);
    const reproduceWarmSeconds = timed("warm npm run reproduce", ["run", "reproduce", "--silent"], env, log);
    const testSeconds = timed("npm test", ["test", "--silent"], process.env, log);
    const testJupyterSeconds = timed("npm run test:jupyter", ["run", "test:jupyter", "--silent"], process.env, log);
    const record = { reproduceColdSeconds, reproduceWarmSeconds, testSeconds, testJupyterSeconds, measuredAt: new Date().toISOString() };
    writeFileAtomic(file, JSON.stringify(record, null, 2) + "\n");
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}
