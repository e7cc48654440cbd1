/**
 * The process that does the work dies with whoever started it. Killing `npx
 * modburst sweep ...` (or `npm run calibrate`) kills npm, but npm runs the
 * command through `sh -c`: on SIGTERM the shell dies and node is re-parented to
 * PID 1, on SIGKILL the shell lives on; either way node would finish the run and
 * write its outputs for nobody. So every command watches a lifeline:
 *
 * - the processes between it and whoever started it: its parent, and, when npm
 *   started it (npm's environment variables are set), every ancestor up to and
 *   including that npm process;
 * - one of them gone (exited, a zombie, or its PID reused: /proc/PID/stat's
 *   start time), an intermediary re-parented (its own parent died), or this
 *   process re-parented: the starter is gone.
 *
 * Then the command gets SIGTERM, as from a user: its own handler (sweep's,
 * reproduce's) drops partial outputs and exits 143, a command without one dies
 * at once (outputs are written by rename at the end, so nothing is half
 * written); still alive after `graceMs` (a main thread stuck in a long
 * computation with a handler waiting), SIGKILL. The watch runs in a worker
 * thread, so a main thread busy for seconds cannot delay it. Worker threads
 * (src/3-experiments/parallel/) die with the process; notebook executors watch their own
 * parent (environment/execute_notebook.py).
 *
 * MODBURST_DETACHED=1 turns the lifeline off, for a run meant to outlive its
 * starter (started with setsid, say).
 */
import * as fs from "fs";
import { Worker } from "worker_threads";

export const detachedEnv = "MODBURST_DETACHED";

/** How often the lifeline is checked: a killed starter is noticed within this. */
export const lifelineIntervalMs = 200;
/** How long a SIGTERMed command may take to clean up before SIGKILL. */
export const lifelineGraceMs = 30_000;
/** At most this many ancestors are walked looking for npm. */
const maxAncestors = 8;

/** A process the lifeline holds on to. */
export interface Watched {
  pid: number;
  /** /proc/PID/stat field 22 (clock ticks since boot): a reused PID has another. */
  startTime: string;
  /** Its parent when the watch began; a change means its parent died (only checked below the top of the chain). */
  ppid: number;
  /** For the message: `PID 123 (npm exec modburst sweep ...)`. */
  what: string;
}

interface ProcStat {
  comm: string;
  state: string;
  ppid: number;
  startTime: string;
}

/** /proc/PID/stat, or null when the process does not exist (or there is no /proc). The name may hold spaces and parentheses: fields follow the last ')'. */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const close = text.lastIndexOf(")");
  const f = text.slice(close + 2).split(" ");
  return { comm: text.slice(text.indexOf("(") + 1, close), state: f[0], ppid: Number(f[1]), startTime: f[19] };
}

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
  } catch {
    return [];
  }
}

/** npm or npx itself: its process title (`npm exec modburst ...`, `npm run sweep`) or its script (`.../npx-cli.js`). */
export function isNpmCommand(args: string[]): boolean {
  return /^(npm|npx)(\s|$)/.test(args[0] ?? "") || args.slice(0, 2).some((a) => /(^|\/)(npm|npx)(-cli\.js)?$/.test(a));
}

const startedByNpm = (env: NodeJS.ProcessEnv) => [env.npm_command, env.npm_lifecycle_event, env.npm_execpath].some((v) => v !== undefined && v !== "");

function describe(pid: number, st: ProcStat): string {
  const args = cmdline(pid).join(" ");
  const shown = args.length > 60 ? args.slice(0, 57) + "..." : args;
  return `PID ${pid} (${shown || st.comm})`;
}

/**
 * The chain to watch, nearest first: the parent, and when npm started this
 * process, every ancestor up to npm (none found within a few levels: the parent
 * alone). Empty when the parent is already init (nothing started us that could go).
 */
export function lifelineChain(env: NodeJS.ProcessEnv = process.env): Watched[] {
  const parent = process.ppid;
  if (parent <= 1) return [];
  const first = procStat(parent);
  // No /proc: the parent alone, checked by this process's own re-parenting.
  if (first === null) return [{ pid: parent, startTime: "", ppid: -1, what: `PID ${parent}` }];
  const chain: Watched[] = [];
  let pid = parent;
  let st: ProcStat | null = first;
  for (let depth = 0; st !== null && pid > 1 && depth < maxAncestors; depth++) {
    chain.push({ pid, startTime: st.startTime, ppid: st.ppid, what: describe(pid, st) });
    if (!startedByNpm(env) || isNpmCommand(cmdline(pid))) return chain;
    pid = st.ppid;
    st = procStat(pid);
  }
  return chain.slice(0, 1);
}

/**
 * The watch, as the worker thread runs it (plain JavaScript: it is evaluated,
 * not loaded from dist/). It reads /proc itself rather than share this
 * module, so it needs nothing but fs.
 */
const watchSource = `
const fs = require("fs");
const { workerData } = require("worker_threads");
const { chain, self, parent, intervalMs, graceMs } = workerData;
function stat(pid) {
  let text;
  try { text = fs.readFileSync("/proc/" + pid + "/stat", "utf8"); } catch { return null; }
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: f[0], ppid: Number(f[1]), startTime: f[19] };
}
function goneOf() {
  if (process.ppid !== parent) return "PID " + parent + " (this process's parent)";
  for (let i = 0; i < chain.length; i++) {
    const w = chain[i];
    if (w.startTime === "") continue;
    const s = stat(w.pid);
    if (s === null || s.startTime !== w.startTime || s.state === "Z" || s.state === "X") return w.what;
    // Below the top, a changed parent means the one above died (its zombie may already be reaped).
    if (i < chain.length - 1 && s.ppid !== w.ppid) return chain[i + 1].what;
  }
  return null;
}
const timer = setInterval(() => {
  const gone = goneOf();
  if (gone === null) return;
  clearInterval(timer);
  try {
    fs.writeSync(2, "modburst: stopping: " + gone + ", which started this run, is gone\\n");
  } catch {}
  try { process.kill(self, "SIGTERM"); } catch {}
  setTimeout(() => { try { process.kill(self, "SIGKILL"); } catch {} }, graceMs);
}, intervalMs);
`;

let started = false;

/** Start the watch (once per process); it never keeps the process alive. Returns the chain watched. */
export function startLifeline(env: NodeJS.ProcessEnv = process.env): Watched[] {
  if (started || env[detachedEnv] === "1") return [];
  const chain = lifelineChain(env);
  if (chain.length === 0) return [];
  started = true;
  const worker = new Worker(watchSource, {
    eval: true,
    workerData: { chain, self: process.pid, parent: process.ppid, intervalMs: lifelineIntervalMs, graceMs: lifelineGraceMs },
    // A watcher needs almost nothing; keep its isolate small.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    stdout: false,
    stderr: false,
  });
  worker.unref();
  // A watcher that fails must not take the command with it.
  worker.on("error", () => undefined);
  return chain;
}
