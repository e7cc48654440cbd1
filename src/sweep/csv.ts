/** Sweep results as a tidy CSV: one row per grid point, boot and module. */
import * as fs from "fs";
import { csvError, displayPath, readCsv } from "../data/csv";
import { UserError } from "../errors";
import { writeFileAtomic } from "../fsutil";
import type { BootResult } from "../model/boot";
import type { GridPoint } from "./grid";

export const sweepColumns = [
  "job", "jobs_total", "policy", "cpus", "init_latency_ms", "init_result", "seed", "boot", "module",
  "span_seconds", "attempts", "full_loads", "herd_wakeups", "peak_vmalloc_bytes",
] as const;

export interface SweepRow {
  job: number;
  jobsTotal: number;
  policy: string;
  cpus: number;
  initLatencyMs: number;
  initResult: string;
  seed: number;
  boot: number;
  module: string;
  spanSeconds: number;
  attempts: number;
  fullLoads: number;
  herdWakeups: number;
  peakVmallocBytes: number;
}

export function sweepRows(points: GridPoint[], results: BootResult[], jobsTotal: number, seed: number): SweepRow[] {
  return points.flatMap((p, i) =>
    Object.entries(results[i].modules).map(([module, m]) => ({
      job: p.job, jobsTotal, policy: p.policy, cpus: p.cpus, initLatencyMs: p.initLatencyMs, initResult: p.initResult,
      seed, boot: p.boot, module, spanSeconds: m.spanSeconds, attempts: m.attempts, fullLoads: m.fullLoads,
      herdWakeups: m.herdWakeups, peakVmallocBytes: m.peakVmallocBytes,
    })),
  );
}

export function formatSweepCsv(rows: SweepRow[]): string {
  const lines = [sweepColumns.join(",")];
  for (const r of rows) {
    lines.push([r.job, r.jobsTotal, r.policy, r.cpus, r.initLatencyMs, r.initResult, r.seed, r.boot, r.module, r.spanSeconds, r.attempts, r.fullLoads, r.herdWakeups, r.peakVmallocBytes].join(","));
  }
  return lines.join("\n") + "\n";
}

export function writeSweepCsv(file: string, rows: SweepRow[]): void {
  writeFileAtomic(file, formatSweepCsv(rows));
}

export function readSweepCsv(file: string): SweepRow[] {
  const num = (line: number, col: string, v: string, integer = false) => {
    const n = Number(v);
    if (v === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0) throw csvError(file, line, col, v, integer ? "a non-negative integer" : "a non-negative number");
    return n;
  };
  return readCsv(file, sweepColumns).map(({ line, values: v }) => ({
    job: num(line, "job", v.job, true),
    jobsTotal: num(line, "jobs_total", v.jobs_total, true),
    policy: v.policy,
    cpus: num(line, "cpus", v.cpus, true),
    initLatencyMs: num(line, "init_latency_ms", v.init_latency_ms),
    initResult: v.init_result,
    seed: num(line, "seed", v.seed, true),
    boot: num(line, "boot", v.boot, true),
    module: v.module,
    spanSeconds: num(line, "span_seconds", v.span_seconds),
    attempts: num(line, "attempts", v.attempts, true),
    fullLoads: num(line, "full_loads", v.full_loads, true),
    herdWakeups: num(line, "herd_wakeups", v.herd_wakeups, true),
    peakVmallocBytes: num(line, "peak_vmalloc_bytes", v.peak_vmalloc_bytes, true),
  }));
}

/**
 * Combine shard files into the unsharded result: rows ordered by job, every job
 * of the grid present exactly once, all from one grid (same jobs_total).
 */
export function mergeSweeps(files: string[]): SweepRow[] {
  if (files.length === 0) throw new UserError("invalid merge-results: no input files (allowed: one or more sweep CSV files)");
  const all: SweepRow[] = [];
  let total: number | null = null;
  const seenJobs = new Map<number, string>();
  for (const f of files) {
    if (!fs.existsSync(f)) throw new UserError(`invalid merge-results input: ${displayPath(f)} (allowed: existing sweep CSV files)`);
    const rows = readSweepCsv(f);
    for (const r of rows) {
      if (total === null) total = r.jobsTotal;
      if (r.jobsTotal !== total) throw new UserError(`invalid ${displayPath(f)}: jobs_total ${r.jobsTotal} (allowed ${total}: every shard must come from the same grid)`);
      const owner = seenJobs.get(r.job);
      if (owner !== undefined && owner !== f) throw new UserError(`invalid ${displayPath(f)}: job ${r.job} also in ${displayPath(owner)} (allowed: each job in one shard)`);
      seenJobs.set(r.job, f);
    }
    all.push(...rows);
  }
  const missing: number[] = [];
  for (let j = 0; j < (total ?? 0); j++) if (!seenJobs.has(j)) missing.push(j);
  if (missing.length > 0) {
    throw new UserError(`invalid merge-results: ${missing.length} of ${total} jobs missing (first: job ${missing[0]}; allowed: all shards of the grid)`);
  }
  // Stable within a job: modules keep their order.
  return all.map((r, i) => ({ r, i })).sort((a, b) => a.r.job - b.r.job || a.i - b.i).map((x) => x.r);
}
