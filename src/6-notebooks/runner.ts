/**
 * Executing notebooks headlessly with Jupyter's own executor (nbclient, through
 * environment/execute_notebook.py) under the project's tslab kernel. A notebook is
 * replaced only after it ran to the end: the executor writes a hidden sibling
 * temp file that is renamed into place, so a failure, a timeout or Ctrl-C leaves
 * the original untouched.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UserError } from "../core/errors";
import { removeStaleTempFiles, tempFileFor } from "../core/outputs";
import { jupyterEnv } from "../machine/jupyter";
import { kernelName, paths } from "../core/paths";
import { CacheEvent, cacheEnv, describeCacheLog, readCacheLog } from "../3-experiments/records/cache";
import { writeInjectedCopy } from "./parameters";

export interface NotebookOutcome {
  notebook: string;
  ok: boolean;
  seconds: number;
  /** 1-based cell number (all cells counted) where it stopped, when it failed. */
  cell?: number;
  /**
   * The same cell counted among the code cells that run (non-empty ones), as
   * JupyterLab's prompts count them: code cell 4 is the one whose prompt reads [4]
   * after Run All.
   */
  codeCell?: number;
  kind?: "error" | "timeout" | "dead" | "startup" | "crash" | "interrupted";
  message?: string;
  /** What the notebook asked the results cache for. */
  records?: CacheEvent[];
}

export interface RunOptions {
  python: string;
  /**
   * Run every notebook for this study: execute a copy whose parameters cell is
   * set to it (parameters.ts), saved to `outDir` instead of over the notebook.
   */
  study?: { name: string; outDir: string; note?: string };
  /** Per-cell limit; a cell running longer is stopped and reported. */
  cellTimeoutSeconds: number;
  env?: NodeJS.ProcessEnv;
}

/** The notebooks of a folder in name order (numbered notebooks run in reading order). */
export function listNotebooks(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new UserError(`invalid notebooks folder: ${dir} (allowed: an existing folder)`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Keep the notebooks named by `args` (all when none), in file order: each is a
 * prefix of a notebook's file name (`01`), or the path of one of them, as a shell
 * completes it (`notebooks/01-reproduce-table.ipynb`), relative to `cwd`. npm
 * runs scripts from the package root, so the npm alias passes INIT_CWD, where
 * `npm run` was typed.
 */
export function selectNotebooks(files: string[], args: string[], cwd: string = process.env.INIT_CWD ?? process.cwd()): string[] {
  if (args.length === 0) return files;
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const byPath = new Map(files.map((f) => [real(f), f]));
  const chosen = new Set<string>();
  for (const a of args) {
    const isPath = a.includes("/") || a.includes(path.sep) || a.endsWith(".ipynb");
    const named = isPath ? byPath.get(real(path.resolve(cwd, a))) : undefined;
    const matches = named ? [named] : files.filter((f) => a !== "" && path.basename(f).startsWith(a));
    if (matches.length === 0) {
      const folder = files.length ? path.relative(cwd, path.dirname(files[0])) || "." : "the notebooks folder";
      throw new UserError(`invalid notebook: ${a === "" ? '""' : a} (allowed: a prefix of ${files.map((f) => path.basename(f)).join(", ")}, or the path of one of them in ${folder}/)`);
    }
    matches.forEach((m) => chosen.add(m));
  }
  return files.filter((f) => chosen.has(f));
}

/** `notebooks/x.ipynb: code cell 4 (cell 7 of the file): Error: ...`: the prompt's number first, markdown cells not counted. */
export function describeFailure(o: NotebookOutcome): string {
  const where = o.codeCell && o.cell ? `code cell ${o.codeCell} (cell ${o.cell} of the file)` : o.cell ? `cell ${o.cell} of the file` : o.kind === "crash" ? "executor" : "kernel start";
  return `${path.relative(process.cwd(), o.notebook) || o.notebook}: ${where}: ${o.message ?? o.kind}`;
}

/** Executors in flight (several when notebooks run side by side). */
const running = new Set<{ child: ChildProcess; tmp: string; input?: string }>();

/**
 * Ctrl-C: ask every executor to stop (each shuts its kernel down on the way
 * out), wait for them, drop their temp files, and leave the notebooks as they were.
 */
export function installInterruptHandler(graceMs = 15_000): void {
  const onSignal = (signal: NodeJS.Signals) => {
    const live = [...running].filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    const finish = () => {
      for (const r of running) {
        fs.rmSync(r.tmp, { force: true });
        if (r.input) fs.rmSync(r.input, { force: true });
      }
      process.stderr.write(`\nmodburst: interrupted (${signal}); notebooks left as they were\n`);
      process.exit(130);
    };
    if (live.length === 0) {
      finish();
      return;
    }
    let left = live.length;
    for (const { child } of live) {
      const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.once("exit", () => {
        clearTimeout(force);
        if (--left === 0) finish();
      });
      child.kill("SIGTERM");
    }
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}

/** Where a notebook's executed copy goes: over itself, or into the study's notebooks folder. */
export const targetOf = (notebook: string, opts: Pick<RunOptions, "study">): string => (opts.study ? path.join(opts.study.outDir, path.basename(notebook)) : notebook);

export function executeNotebook(notebook: string, opts: RunOptions): Promise<NotebookOutcome> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const target = targetOf(notebook, opts);
  if (opts.study) fs.mkdirSync(opts.study.outDir, { recursive: true });
  // A run killed mid-notebook left its executed copy's temp file: removed here (outputs.ts names temps by PID).
  removeStaleTempFiles(target);
  const tmp = tempFileFor(target);
  // A study's copy runs from beside the original (the kernel starts in the input's folder and imports ../dist/index).
  const input = opts.study ? writeInjectedCopy(notebook, opts.study.name, opts.study.note) : undefined;
  const child = spawn(
    opts.python,
    [paths.executeNotebookPy, input ?? notebook, tmp, kernelName, String(opts.cellTimeoutSeconds)],
    // The executor notices its parent is gone by comparing with this pid (see die_with_parent).
    { env: { ...jupyterEnv(opts.env ?? process.env), MODBURST_EXECUTOR_PARENT: String(process.pid) }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const entry = { child, tmp, input };
  running.add(entry);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => {
    child.on("close", (code) => {
      running.delete(entry);
      if (input) fs.rmSync(input, { force: true });
      const report = parseReport(stdout);
      if (code === 0 && report?.ok && fs.existsSync(tmp)) {
        fs.renameSync(tmp, target);
        resolve({ notebook, ok: true, seconds: seconds() });
        return;
      }
      fs.rmSync(tmp, { force: true });
      if (report && !report.ok) {
        // A study's copy starts with one more cell, its banner; count as in the notebook the user opens.
        const shift = input && opts.study?.note !== undefined ? 1 : 0;
        const cell = report.cell ? report.cell - shift : undefined;
        resolve({ notebook, ok: false, seconds: seconds(), cell, codeCell: report.codeCell ?? undefined, kind: report.kind, message: report.message });
      } else {
        const last = stderr.trim().split("\n").pop() ?? "";
        resolve({ notebook, ok: false, seconds: seconds(), kind: "crash", message: `executor exited ${code}: ${last}` });
      }
    });
  });
}

interface Report {
  ok: boolean;
  cell?: number | null;
  codeCell?: number | null;
  kind?: NotebookOutcome["kind"];
  message?: string;
}

function parseReport(stdout: string): Report | null {
  const last = stdout.trim().split("\n").pop();
  if (!last) return null;
  try {
    return JSON.parse(last) as Report;
  } catch {
    return null;
  }
}

/**
 * The records a notebook reads, from its metadata ("modburst": {"records":
 * ["seed-table", ...]}): `modburst reproduce` computes them before any kernel
 * starts. A name that is not an experiment is the notebook's mistake, named.
 */
export function recordsOf(file: string, known: readonly string[]): string[] {
  let meta: unknown;
  try {
    meta = (JSON.parse(fs.readFileSync(file, "utf8")) as { metadata?: { modburst?: { records?: unknown } } }).metadata?.modburst?.records;
  } catch {
    throw new UserError(`invalid notebook: ${path.basename(file)} (allowed: a readable .ipynb JSON file)`);
  }
  if (meta === undefined) return [];
  const names = Array.isArray(meta) ? meta : [meta];
  for (const n of names) {
    if (typeof n !== "string" || !known.includes(n)) {
      throw new UserError(`invalid ${path.basename(file)} metadata modburst.records: ${JSON.stringify(n)} (allowed ${known.join("|")})`);
    }
  }
  return names as string[];
}

/**
 * Run notebooks, `concurrency` at a time (each kernel is one mostly
 * single-threaded process, so two side by side use both cores), in file order,
 * each after its `before` hook resolves.
 * Nothing new starts after a failure. Each notebook's kernel logs the records
 * it asked the results cache for, so the line for each notebook says what it
 * computed and what it reused. Outcomes are in file order.
 */
export async function runNotebooks(
  files: string[],
  opts: RunOptions & { concurrency?: number; before?: (notebook: string) => Promise<void> },
  log: (line: string) => void,
): Promise<NotebookOutcome[]> {
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const outcomes = new Map<string, NotebookOutcome>();
  let failed = false;
  const runOne = async (nb: string) => {
    const cacheLog = path.join(os.tmpdir(), `modburst-cache-${process.pid}-${path.basename(nb)}.jsonl`);
    fs.rmSync(cacheLog, { force: true });
    let o: NotebookOutcome;
    try {
      o = await executeNotebook(nb, { ...opts, env: { ...(opts.env ?? process.env), [cacheEnv.log]: cacheLog } });
      o.records = readCacheLog(cacheLog);
    } finally {
      fs.rmSync(cacheLog, { force: true });
    }
    outcomes.set(nb, o);
    if (!o.ok) failed = true;
    log(`${o.ok ? "ok  " : "FAIL"} ${path.basename(nb).padEnd(36)} ${o.seconds.toFixed(1).padStart(6)} s  ${describeCacheLog(o.records)}`);
  };
  let next = 0;
  const lane = async () => {
    while (!failed && next < files.length) {
      const nb = files[next++];
      try {
        // E.g. the records this notebook reads, computed while earlier notebooks run.
        await opts.before?.(nb);
        await runOne(nb);
      } catch (err) {
        failed = true;
        outcomes.set(nb, { notebook: nb, ok: false, seconds: 0, kind: "crash", message: (err as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, lane));
  return files.filter((f) => outcomes.has(f)).map((f) => outcomes.get(f)!);
}
