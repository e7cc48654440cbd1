/**
 * modburst sweep --policy all --cpus 8,16,...,4096 --init-latency-ms 0,1,10,100,1000
 *   --boots 20 --out FILE [--init-result fail|success|fail,success] [--seed S]
 *   [--shard K/N] [--threads T] [--params FILE] [--max-hours H]
 * modburst merge-results SHARD.csv... --out FILE
 */
import { checkInteger, checkKeyword, UserError } from "../core/errors";
import { maxCsvFileBytes } from "../core/fsutil";
import { checkOutputs, inputsOf, isStdout } from "../core/outputs";
import { calibrationCpus, Estimate, estimateRun, measureBootCosts } from "../3-experiments/parallel/estimate";
import { defaultThreads, poolThreads } from "../3-experiments/parallel/pool";
import type { Params } from "../1-model/params";
import { formatSweepCsv, pointRows, sweepRowLine } from "../3-experiments/sweep/csv";
import { mergeSweepFiles } from "../3-experiments/sweep/merge";
import { costSamples, Grid, gridPoint, gridSize, parseNumberList, parsePolicies, parseShard, Shard, shardSize, sweepWork } from "../3-experiments/sweep/grid";
import { SweepProvenance, sweepProvenance } from "../3-experiments/sweep/provenance";
import { sweepToFile } from "../3-experiments/sweep/runSweep";
import { maxCpus, maxInitLatencyMs, seedMachineCpus } from "../1-model/limits";
import { resolveScenario, scenarios } from "../1-model/scenarios";
import { OptionTable, parseCli } from "./args";
import { bootsOnThreads, enforceBudget, parseMaxHours } from "./budget";
import { progressBar } from "./progress";
import { loadParams } from "./simulate";
import { maxOf } from "../core/arrays";

/** sweep's options: what it parses and what `modburst sweep --help` prints. */
export const sweepOptions: OptionTable = {
  policy: { type: "string", value: "LIST|all", help: "policies, comma-separated, or all (default all)" },
  cpus: { type: "string", value: "LIST", help: `CPU counts; a,b,...,z expands geometrically or arithmetically (default ${seedMachineCpus})` },
  "init-latency-ms": { type: "string", value: "LIST", help: `init latencies, ms 0..${maxInitLatencyMs} (default 0)` },
  "init-result": { type: "string", value: "LIST", help: "fail, success or fail,success (default fail)" },
  boots: { type: "string", value: "K", help: "boots per grid point (default 20)" },
  seed: { type: "string", value: "S", help: "the sweep's seed (default 1)" },
  out: { type: "string", value: "FILE|-", help: "the CSV to write (required; - for stdout); checked writable before any work" },
  shard: { type: "string", value: "K/N", help: "run only the K-th of N slices of the grid (merge them with merge-results)" },
  threads: { type: "string", value: "T", help: "worker threads, 1..256 (default: the machine's cores)" },
  params: { type: "string", value: "FILE", help: "parameter values, or a calibration record (default the seed study's calibration)" },
  scenario: { type: "string", value: "NAME|FILE.json", help: `${Object.keys(scenarios).join("|")}, or a scenario file (default seed)` },
  "max-hours": { type: "string", value: "H", help: "refuse a sweep estimated over H hours, before it starts (default 1)" },
  slurm: { type: "boolean", help: "run the grid as one Slurm job array (one shard per task) and merge the shards into --out (README, On a cluster)" },
  "slurm-tasks": { type: "string", value: "N", help: "with --slurm: array tasks (default: about 10 min of estimated work each)" },
  "slurm-args": { type: "string", value: '"ARGS"', help: 'with --slurm: extra sbatch options, e.g. "--partition=p --account=a"', dashValue: true },
  "run-dir": { type: "string", value: "DIR", help: "with --slurm: the run folder, on a filesystem the nodes share (default .cache/slurm/sweep-TIME-PID)" },
  "dry-run": { type: "boolean", help: "with --slurm: print the job script; write and submit nothing" },
  resume: { type: "string", value: "RUN_DIR", help: "resubmit the unfinished tasks of a --slurm run, then merge (with --out FILE to change where)" },
};

/** merge-results' options. */
export const mergeOptions: OptionTable = {
  out: { type: "string", value: "FILE|-", help: "the merged CSV (required; - for stdout), byte-identical to the unsharded run" },
};

export async function sweepCommand(argv: string[]): Promise<number> {
  const { values, rejectRepeats } = parseCli(argv, sweepOptions, { laterRepeats: true });
  // A Slurm run (src/cluster/) is loaded only when asked for.
  const onSlurm = () => require("./sweepSlurm") as typeof import("./sweepSlurm");
  if (values.resume !== undefined) return onSlurm().resumeSweep(values, rejectRepeats);
  if (values.slurm !== true && ["slurm-tasks", "slurm-args", "run-dir", "dry-run"].some((k) => values[k] !== undefined)) onSlurm().checkSlurmOptions(values);
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
  const maxHours = parseMaxHours(values["max-hours"]);
  rejectRepeats();
  const out = values.out as string;
  if (values.slurm === true) {
    const inputs = inputsOf({ "--params": values.params, "--scenario": scenarioFile(values.scenario) });
    const estimate = (n: number | null, t: number) => {
      const s = n === null ? null : { k: 1, n };
      return estimateSweep(grid, params, s, t, sweepProvenance(grid, params, s));
    };
    return onSlurm().sweepOnSlurm({ values, grid, params, source, maxHours, out, inputs, estimate });
  }
  // Before hours of work, not after: an input, a directory, a path under a file or a read-only folder.
  checkOutputs("sweep", [{ flag: "--out", path: out }], inputsOf({ "--params": values.params, "--scenario": scenarioFile(values.scenario) }));
  const provenance = sweepProvenance(grid, params, shard);
  const count = shardSize(gridSize(grid), shard);
  const head = `sweep: ${bootsOnThreads(count, poolThreads(count, threads))}${shard ? ` (shard ${shard.k}/${shard.n})` : ""}, params: ${source}`;
  // The signal handlers go in before the estimate line: whoever reads that line and
  // then signals the run must find them installed (a SIGHUP in between killed it).
  const rows = await interruptible(`sweep: nothing written to ${out}`, (signal) => {
    enforceBudget(head, estimateSweep(grid, params, shard, threads, provenance), { maxHours, outputBytes: maxCsvFileBytes }, sweepRemedies(shard), "CSV");
    return sweepToFile(out, grid, params, provenance, { shard, threads, signal, onProgress: progressBar("sweep") });
  });
  process.stderr.write(`sweep: wrote ${rows} rows to ${isStdout(out) ? "stdout" : out}\n`);
  return 0;
}

/** `--scenario` when it names a file (as resolveScenario decides), not a built-in scenario. */
export const scenarioFile = (arg: unknown): string | undefined => (typeof arg === "string" && (arg.includes("/") || arg.endsWith(".json")) ? arg : undefined);

/** Time a few boots, then scale: see parallel/estimate.ts. */
export function estimateSweep(grid: Grid, params: Params, shard: Shard | null, threads: number, provenance: SweepProvenance): Estimate {
  const { costs, sample } = measureBootCosts(costSamples(grid, params, calibrationCpus(maxOf(grid.cpus))), params, grid.seed);
  const total = gridSize(grid);
  // The widest row: the last job number, the largest CPU count, the longest latency.
  const widest = { ...gridPoint(grid, total - 1), cpus: maxOf(grid.cpus), initLatencyMs: maxOf(grid.initLatencyMs) };
  const rowBytes = pointRows(widest, sample, total, grid.seed).reduce((n, r) => n + sweepRowLine(r).length + 1, 0);
  return estimateRun({
    work: sweepWork(grid, shard),
    costs,
    threads: poolThreads(shardSize(total, shard), threads),
    cores: defaultThreads(),
    outputBytesPerBoot: rowBytes,
    outputHeadBytes: formatSweepCsv([], provenance).length,
  });
}

function sweepRemedies(shard: Shard | null) {
  return {
    time: "a smaller grid or fewer boots, shards on several machines (--shard K/N)",
    memory: "fewer --threads or CPUs",
    output: (timesOver: number) => `--shard K/N with N >= ${(shard?.n ?? 1) * timesOver}, so that merge-results can read each shard, or a smaller grid`,
  };
}

/** Exit codes of a run stopped by a signal: 128 + its number, as a shell reports a process it killed. */
const signalExit = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Run `body` with SIGINT, SIGTERM and SIGHUP (a closed terminal) turned into an
 * abort: the run stops, its partial output is removed, and the command exits
 * 130, 143 or 129 with one line. The lifeline (lifeline.ts) stops a run whose
 * starter is gone with SIGTERM, so it ends the same way.
 */
async function interruptible<T>(what: string, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((sig) => {
    const h = () => ctl.abort(new UserError(`${what} (interrupted by ${sig})`, signalExit[sig]));
    process.once(sig, h);
    return [sig, h] as const;
  });
  try {
    return await body(ctl.signal);
  } finally {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  }
}

/** fail, success or both, each once. */
export function parseInitResults(text: string): Array<"fail" | "success"> {
  const list = text.split(",").map((r) => checkKeyword("init-result", r.trim(), ["fail", "success"] as const));
  if (new Set(list).size !== list.length) throw new UserError(`invalid init-result: ${text} (allowed a comma-separated list of fail|success without repeats)`);
  return list;
}

export function mergeCommand(argv: string[]): number {
  const { values, positionals } = parseCli(argv, mergeOptions, { positionals: true });
  if (values.out === undefined || values.out === "") throw new UserError("invalid out: missing (allowed: a file path for the merged CSV, --out FILE)");
  const out = values.out as string;
  checkOutputs("merge-results", [{ flag: "--out", path: out }], positionals.map((p) => ({ flag: "SHARD", path: p })));
  const { rows } = mergeSweepFiles(positionals, out);
  process.stderr.write(`merge-results: ${positionals.length} files, ${rows} rows -> ${isStdout(out) ? "stdout" : out}\n`);
  return 0;
}
