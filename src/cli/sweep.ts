/**
 * modburst sweep --policy all --cpus 8,16,...,4096 --init-latency-ms 0,1,10,100,1000
 *   --boots 20 --out FILE [--init-result fail|success|fail,success] [--seed S]
 *   [--shard K/N] [--threads T] [--params FILE]
 * modburst merge-results SHARD.csv... --out FILE
 */
import { checkInteger, checkKeyword, UserError } from "../errors";
import { checkWritableFile } from "../fsutil";
import { defaultThreads } from "../parallel/pool";
import { mergeSweeps, writeSweepCsv } from "../sweep/csv";
import { Grid, gridPoints, parseNumberList, parsePolicies, parseShard, shardOf } from "../sweep/grid";
import { sweepProvenance } from "../sweep/provenance";
import { runSweep } from "../sweep/run";
import { maxCpus, maxInitLatencyMs, seedMachineCpus } from "../model/limits";
import { resolveScenario } from "../model/scenarios";
import { parseCli } from "./args";
import { progressBar } from "./progress";
import { loadParams } from "./simulate";

export async function sweepCommand(argv: string[]): Promise<number> {
  const { values, rejectRepeats } = parseCli(argv, {
    policy: { type: "string" },
    cpus: { type: "string" },
    "init-latency-ms": { type: "string" },
    "init-result": { type: "string" },
    boots: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    shard: { type: "string" },
    threads: { type: "string" },
    params: { type: "string" },
    scenario: { type: "string" },
  }, { laterRepeats: true });
  if (values.out === undefined || values.out === "") throw new UserError("invalid out: missing (allowed: a file path for the CSV, --out FILE)");
  const grid: Grid = {
    policies: parsePolicies((values.policy as string) ?? "all"),
    cpus: parseNumberList("cpus", (values.cpus as string) ?? String(seedMachineCpus), 1, maxCpus, true),
    initLatencyMs: parseNumberList("init-latency-ms", (values["init-latency-ms"] as string) ?? "0", 0, maxInitLatencyMs, false),
    initResults: parseInitResults((values["init-result"] as string) ?? "fail"),
    boots: checkInteger("boots", values.boots ?? "20", 1, 100_000),
    seed: checkInteger("seed", values.seed ?? "1", 0, 2 ** 32 - 1),
    scenario: values.scenario !== undefined ? resolveScenario(values.scenario as string) : undefined,
  };
  const shard = values.shard !== undefined ? parseShard(values.shard as string) : null;
  const threads = checkInteger("threads", values.threads ?? String(defaultThreads()), 1, 256);
  const { params, source } = loadParams(values.params as string | undefined);
  rejectRepeats();
  // Before hours of work, not after: a directory, a path under a file or a read-only folder.
  checkWritableFile(values.out as string);
  const provenance = sweepProvenance(grid, params, shard);
  const n = shardOf(gridPoints(grid), shard).length;
  process.stderr.write(`sweep: ${n} boots${shard ? ` (shard ${shard.k}/${shard.n})` : ""} on ${threads} threads, params: ${source}\n`);
  const rows = await runSweep(grid, params, { shard, threads, onProgress: progressBar("sweep") });
  writeSweepCsv(values.out as string, rows, provenance);
  process.stderr.write(`sweep: wrote ${rows.length} rows to ${values.out}\n`);
  return 0;
}

/** fail, success or both, each once. */
export function parseInitResults(text: string): Array<"fail" | "success"> {
  const list = text.split(",").map((r) => checkKeyword("init-result", r.trim(), ["fail", "success"] as const));
  if (new Set(list).size !== list.length) throw new UserError(`invalid init-result: ${text} (allowed a comma-separated list of fail|success without repeats)`);
  return list;
}

export function mergeCommand(argv: string[]): number {
  const { values, positionals } = parseCli(argv, { out: { type: "string" } }, { positionals: true });
  if (values.out === undefined || values.out === "") throw new UserError("invalid out: missing (allowed: a file path for the merged CSV, --out FILE)");
  checkWritableFile(values.out as string);
  const { provenance, rows } = mergeSweeps(positionals);
  writeSweepCsv(values.out as string, rows, provenance);
  process.stderr.write(`merge-results: ${positionals.length} files, ${rows.length} rows -> ${values.out}\n`);
  return 0;
}
