/**
 * Sweep results as a tidy CSV: one row per grid point, boot and module. A file
 * written by `modburst sweep`, `merge-results` or notebook 03 (data/derived/)
 * starts with comment lines (`# `)
 * recording its provenance (see provenance.ts) and ends with `# end: N rows`, so a
 * truncated file is caught; other tools load it by skipping lines starting with #.
 */
import * as fs from "fs";
import { displayPath } from "../data/csv";
import { UserError } from "../errors";
import * as path from "path";
import { maxCsvFileBytes, readFileCapped, tempSibling, writeError, writeFileForUser } from "../fsutil";
import type { BootResult } from "../model/boot";
import { maxCpus, maxInitLatencyMs } from "../model/limits";
import { policyNames } from "../model/policies";
import { GridPoint, gridPoint, gridSize } from "./grid";
import { formatProvenance, provenanceLines, SweepGridInfo, sweepFormatLine, SweepProvenance } from "./provenance";

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
  return points.flatMap((p, i) => pointRows(p, results[i], jobsTotal, seed));
}

/** One job's rows: one per module, in the scenario's order. */
export function pointRows(p: GridPoint, result: BootResult, jobsTotal: number, seed: number): SweepRow[] {
  return Object.entries(result.modules).map(([module, m]) => ({
    job: p.job, jobsTotal, policy: p.policy, cpus: p.cpus, initLatencyMs: p.initLatencyMs, initResult: p.initResult,
    seed, boot: p.boot, module, spanSeconds: m.spanSeconds, attempts: m.attempts, fullLoads: m.fullLoads,
    herdWakeups: m.herdWakeups, peakVmallocBytes: m.peakVmallocBytes,
  }));
}

const endLine = (rows: number) => `# end: ${rows} rows`;

/** One row's CSV line, without the newline. */
export function sweepRowLine(r: SweepRow): string {
  return [r.job, r.jobsTotal, r.policy, r.cpus, r.initLatencyMs, r.initResult, r.seed, r.boot, r.module, r.spanSeconds, r.attempts, r.fullLoads, r.herdWakeups, r.peakVmallocBytes].join(",");
}

/** The lines before the rows: provenance (when given) and the column header. */
function headLines(provenance?: SweepProvenance): string[] {
  return [...(provenance ? formatProvenance(provenance) : []), sweepColumns.join(",")];
}

/** The CSV text; with provenance, framed by its comment lines and the end line. */
export function formatSweepCsv(rows: SweepRow[], provenance?: SweepProvenance): string {
  const lines = headLines(provenance);
  for (const r of rows) lines.push(sweepRowLine(r));
  if (provenance) lines.push(endLine(rows.length));
  return lines.join("\n") + "\n";
}

/**
 * Write a sweep CSV atomically; an I/O error is one line naming the file and its
 * cause (exit 1). Without provenance the file is the plain table, which
 * readSweepCsv does not accept (every CSV the kit writes has provenance).
 */
export function writeSweepCsv(file: string, rows: SweepRow[], provenance?: SweepProvenance): void {
  writeFileForUser(file, formatSweepCsv(rows, provenance));
}

/**
 * A sweep CSV written as its rows arrive, byte-identical to formatSweepCsv of
 * the same rows: into a temp sibling of `file`, renamed into place by finish(),
 * so readers never see a partial file. Any I/O error is a writeError (exit 1);
 * after one, or on abort(), the temp file is gone.
 */
export class SweepCsvStream {
  private readonly tmp: string;
  private fd: number | null = null;
  private pending: string[] = [];
  private pendingChars = 0;
  rows = 0;

  constructor(readonly file: string, provenance: SweepProvenance) {
    this.tmp = tempSibling(file);
    this.io(() => {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      this.fd = fs.openSync(this.tmp, "wx");
    });
    for (const line of headLines(provenance)) this.push(line);
  }

  write(rows: SweepRow[]): void {
    for (const r of rows) this.push(sweepRowLine(r));
    this.rows += rows.length;
  }

  /** The end line, then the file is complete: flush, close and rename into place. */
  finish(): void {
    this.push(endLine(this.rows));
    this.flush();
    this.io(() => {
      fs.closeSync(this.fd!);
      this.fd = null;
      fs.renameSync(this.tmp, this.file);
    });
  }

  /** Drop the partial file (after an error or a signal); never throws. */
  abort(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    fs.rmSync(this.tmp, { force: true });
  }

  private push(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    // Write in chunks of about a megabyte: few system calls, little held in memory.
    if (this.pendingChars >= 1 << 20) this.flush();
  }

  private flush(): void {
    const text = this.pending.join("\n") + "\n";
    this.pending = [];
    this.pendingChars = 0;
    this.io(() => fs.writeSync(this.fd!, text));
  }

  private io(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.abort();
      throw writeError(this.file, err);
    }
  }
}

export interface SweepFile {
  file: string;
  provenance: SweepProvenance;
  /** 1-based line of each provenance key, for messages. */
  provenanceLine: Record<string, number>;
  rows: SweepRow[];
  /** 1-based line of each row. */
  lines: number[];
}

/** `invalid FILE:LINE: rule` */
export function sweepError(file: string, line: number, rule: string): UserError {
  return new UserError(`invalid ${displayPath(file)}:${line}: ${rule}`);
}

const isInt = (v: unknown, min: number, max: number) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
const isNum = (v: unknown, min: number, max: number) => typeof v === "number" && Number.isFinite(v) && v >= min && v <= max;
const isList = (v: unknown, ok: (x: unknown) => boolean) => Array.isArray(v) && v.length > 0 && v.every(ok) && new Set(v).size === v.length;

function gridRule(g: SweepGridInfo): string | null {
  if (typeof g !== "object" || g === null) return "a JSON object";
  if (!isList(g.policies, (p) => typeof p === "string" && policyNames.includes(p))) return `policies: known policy names without repeats (${policyNames.join("|")})`;
  if (!isList(g.cpus, (c) => isInt(c, 1, maxCpus))) return `cpus: integers 1..${maxCpus} without repeats`;
  if (!isList(g.initLatencyMs, (l) => isNum(l, 0, maxInitLatencyMs))) return `initLatencyMs: numbers 0..${maxInitLatencyMs} without repeats`;
  if (!isList(g.initResults, (r) => r === "fail" || r === "success")) return "initResults: fail and/or success";
  if (!isInt(g.boots, 1, 100_000)) return "boots: an integer 1..100000";
  if (!isInt(g.seed, 0, 2 ** 32 - 1)) return "seed: an integer 0..4294967295";
  const s = g.scenario;
  if (typeof s !== "object" || s === null || typeof s.name !== "string" || typeof s.sha256 !== "string" || !isList(s.modules, (m) => typeof m === "string" && /^[\w-]+$/.test(m as string)))
    return "scenario: {name, sha256, modules}";
  return null;
}

/**
 * Read and check one sweep CSV written by `sweep`, `merge-results` or
 * derivedSweep (data/derived/): its
 * provenance lines, header, every row (valid values that match the grid point of
 * its job and the file's shard, jobs ascending, each with all the scenario's
 * modules in order) and the end line with the row count. Any failure is one
 * line `invalid FILE:LINE: rule`, exit 2.
 */
export function readSweepCsv(file: string): SweepFile {
  const text = readFileCapped(file, maxCsvFileBytes, (p) =>
    p.kind === "unreadable"
      ? new UserError(`invalid ${displayPath(file)}: cannot read (${p.detail}; allowed: a readable sweep CSV file)`)
      : new UserError(`invalid ${displayPath(file)}: ${p.detail} (allowed: a regular sweep CSV file of at most ${maxCsvFileBytes} bytes)`),
  );
  const fail = (line: number, rule: string) => sweepError(file, line, rule);
  const lines = text.split("\n");
  if (lines[0] !== sweepFormatLine) {
    throw fail(1, `no provenance (allowed: a sweep CSV written by this modburst, starting with "${sweepFormatLine}"; files from older versions must be re-run)`);
  }
  if (lines[lines.length - 1] !== "") throw fail(lines.length, "truncated: the last line does not end with a newline (allowed: a complete file)");
  lines.pop();

  const keys = provenanceLines({ grid: {} as SweepGridInfo, params: "", code: "", shard: { k: 1, n: 1 }, jobsTotal: 0 }).map(([k]) => k);
  const raw: Record<string, string> = {};
  const provenanceLine: Record<string, number> = {};
  keys.forEach((key, i) => {
    const line = i + 2;
    const m = /^# ([a-z_]+): (.*)$/.exec(lines[i + 1] ?? "");
    if (!m || m[1] !== key) throw fail(line, `provenance line "# ${key}: ..." expected (allowed: the lines ${keys.join(", ")} in this order)`);
    raw[key] = m[2];
    provenanceLine[key] = line;
  });
  let grid: SweepGridInfo;
  try {
    grid = JSON.parse(raw.grid);
  } catch {
    throw fail(provenanceLine.grid, "grid: not valid JSON");
  }
  const bad = gridRule(grid);
  if (bad) throw fail(provenanceLine.grid, `grid: ${bad}`);
  if (!/^[0-9a-f]{64}$/.test(raw.params)) throw fail(provenanceLine.params, "params: a sha256 hex digest");
  if (!/^[0-9a-f]{16}$/.test(raw.code)) throw fail(provenanceLine.code, "code: a 16-digit hex code version");
  const sm = /^(\d+)\/(\d+)$/.exec(raw.shard);
  const shard = sm ? { k: Number(sm[1]), n: Number(sm[2]) } : null;
  if (!shard || shard.k < 1 || shard.k > shard.n) throw fail(provenanceLine.shard, "shard: K/N with 1 <= K <= N");
  const fileGrid = { ...grid, initResults: grid.initResults as Array<"fail" | "success">, scenario: undefined };
  const jobsTotal = Number(raw.jobs_total);
  if (raw.jobs_total !== String(gridSize(fileGrid))) throw fail(provenanceLine.jobs_total, `jobs_total: ${raw.jobs_total} (allowed ${gridSize(fileGrid)}, the size of the grid)`);
  const provenance: SweepProvenance = { grid, params: raw.params, code: raw.code, shard, jobsTotal };

  const headerLine = keys.length + 2;
  if (lines[headerLine - 1] !== sweepColumns.join(",")) throw fail(headerLine, `header: ${lines[headerLine - 1] ?? "missing"} (allowed ${sweepColumns.join(",")})`);
  const modules = grid.scenario.modules;
  const rows: SweepRow[] = [];
  const rowLines: number[] = [];
  let prev: SweepRow | null = null;
  let prevLine = 0;
  let modIdx = 0;
  const jobDone = (line: number) => {
    if (prev && modIdx !== modules.length) throw fail(line, `job ${prev.job} has ${modIdx} of ${modules.length} modules (allowed: every job with ${modules.join(",")})`);
  };
  let end = -1;
  for (let i = headerLine; i < lines.length; i++) {
    const line = i + 1;
    const text = lines[i];
    if (text.startsWith("#")) {
      const m = /^# end: (\d+) rows$/.exec(text);
      if (!m) throw fail(line, `comment line among the rows (allowed: only "# end: N rows" after the last row)`);
      if (Number(m[1]) !== rows.length) throw fail(line, `end line says ${m[1]} rows, the file has ${rows.length} (allowed: a complete file)`);
      if (i !== lines.length - 1) throw fail(line + 1, "lines after the end line");
      end = line;
      break;
    }
    const cells = text.split(",");
    if (cells.length !== sweepColumns.length) throw fail(line, `${cells.length} fields (allowed ${sweepColumns.length}: ${sweepColumns.join(",")})`);
    const v: Record<string, string> = {};
    sweepColumns.forEach((c, k) => (v[c] = cells[k]));
    const num = (col: string, integer: boolean) => {
      const s = v[col];
      const n = Number(s);
      if (!/^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
        throw fail(line, `${col}: ${s === "" ? '""' : s} (allowed ${integer ? "a non-negative integer" : "a non-negative number"})`);
      }
      return n;
    };
    if (!policyNames.includes(v.policy)) throw fail(line, `policy: ${v.policy} (allowed ${policyNames.join("|")})`);
    if (v.init_result !== "fail" && v.init_result !== "success") throw fail(line, `init_result: ${v.init_result} (allowed fail|success)`);
    const r: SweepRow = {
      job: num("job", true),
      jobsTotal: num("jobs_total", true),
      policy: v.policy,
      cpus: num("cpus", true),
      initLatencyMs: num("init_latency_ms", false),
      initResult: v.init_result,
      seed: num("seed", true),
      boot: num("boot", true),
      module: v.module,
      spanSeconds: num("span_seconds", false),
      attempts: num("attempts", true),
      fullLoads: num("full_loads", true),
      herdWakeups: num("herd_wakeups", true),
      peakVmallocBytes: num("peak_vmalloc_bytes", true),
    };
    if (r.jobsTotal !== jobsTotal) throw fail(line, `jobs_total: ${r.jobsTotal} (allowed ${jobsTotal}, as in the provenance)`);
    if (r.job >= jobsTotal) throw fail(line, `job: ${r.job} (allowed 0..${jobsTotal - 1}: below jobs_total)`);
    if (r.job % shard.n !== shard.k - 1) throw fail(line, `job ${r.job} is not in shard ${shard.k}/${shard.n} (allowed: jobs numbered ${shard.k - 1} modulo ${shard.n})`);
    if (r.seed !== grid.seed) throw fail(line, `seed: ${r.seed} (allowed ${grid.seed}, the grid's seed)`);
    const p = gridPoint(fileGrid, r.job);
    if (r.policy !== p.policy || r.cpus !== p.cpus || r.initLatencyMs !== p.initLatencyMs || r.initResult !== p.initResult || r.boot !== p.boot) {
      throw fail(line, `job ${r.job} is ${r.policy},${r.cpus},${r.initLatencyMs},${r.initResult},boot ${r.boot} (allowed ${p.policy},${p.cpus},${p.initLatencyMs},${p.initResult},boot ${p.boot}, its grid point)`);
    }
    if (prev && r.job !== prev.job) {
      jobDone(line);
      if (r.job < prev.job) throw fail(line, `job ${r.job} after job ${prev.job} (allowed: jobs ascending, each once)`);
      modIdx = 0;
    }
    if (modules[modIdx] !== r.module) throw fail(line, `module: ${r.module} (allowed ${modules[modIdx] ?? `none: job ${r.job} already has all ${modules.length}`})`);
    modIdx++;
    prev = r;
    prevLine = line;
    rows.push(r);
    rowLines.push(line);
  }
  if (end === -1) throw fail(lines.length, `truncated: no "# end: N rows" line after line ${prevLine || headerLine} (allowed: a complete file)`);
  jobDone(end);
  return { file, provenance, provenanceLine, rows, lines: rowLines };
}

/**
 * Combine shard files into the unsharded result: rows ordered by job, all from
 * one sweep (same provenance but the shard line), no file given twice, every job
 * of the grid present exactly once. The result's provenance is the shards' with
 * shard 1/1, so it is byte-identical to the unsharded run.
 */
export function mergeSweeps(files: string[]): { provenance: SweepProvenance; rows: SweepRow[] } {
  if (files.length === 0) throw new UserError("invalid merge-results: no input files (allowed: one or more sweep CSV files)");
  const real = new Map<string, string>();
  for (const f of files) {
    if (!fs.existsSync(f)) throw new UserError(`invalid merge-results input: ${displayPath(f)} (allowed: existing sweep CSV files)`);
    const rp = fs.realpathSync(f);
    const first = real.get(rp);
    if (first !== undefined) throw sweepError(f, 1, `same file as ${displayPath(first)} (allowed: each shard once)`);
    real.set(rp, f);
  }
  const parsed = files.map(readSweepCsv);
  const ref = parsed[0];
  const refLines = Object.fromEntries(provenanceLines(ref.provenance));
  for (const s of parsed.slice(1)) {
    for (const [key, value] of provenanceLines(s.provenance)) {
      if (key === "shard" || value === refLines[key]) continue;
      throw sweepError(s.file, s.provenanceLine[key], `${key} differs from ${displayPath(ref.file)} (allowed: shards of one sweep: same grid, seed, params and code)`);
    }
  }
  const all: SweepRow[] = [];
  const owner = new Map<number, SweepFile>();
  for (const s of parsed) {
    s.rows.forEach((r, i) => {
      const o = owner.get(r.job);
      if (o !== undefined && o !== s) throw sweepError(s.file, s.lines[i], `job ${r.job} also in ${displayPath(o.file)} (allowed: each job in one shard)`);
      owner.set(r.job, s);
    });
    all.push(...s.rows);
  }
  const total = ref.provenance.jobsTotal;
  const missing: number[] = [];
  for (let j = 0; j < total; j++) if (!owner.has(j)) missing.push(j);
  if (missing.length > 0) {
    throw new UserError(`invalid merge-results: ${missing.length} of ${total} jobs missing (first: job ${missing[0]}; allowed: all shards of the grid)`);
  }
  // Stable within a job: modules keep their order.
  const rows = all.map((r, i) => ({ r, i })).sort((a, b) => a.r.job - b.r.job || a.i - b.i).map((x) => x.r);
  return { provenance: { ...ref.provenance, shard: { k: 1, n: 1 } }, rows };
}
