/**
 * A throwaway single-node Slurm on this machine (npm run test:slurm, the bench's
 * Slurm case, bin/with-local-slurm.js): munged, slurmctld and slurmd, the
 * real daemons, with everything (config, key, socket, state, spool, logs, pid
 * files) in one temp folder, on ports found free at run time. stop() ends the
 * jobs, kills exactly the PIDs it started, waits until they are gone (kill -0)
 * and removes the folder, so nothing is left behind. The configuration follows
 * the verified notes (works as root, without systemd, cgroups or accounting).
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** The binaries a cluster needs; a missing one fails the suite with what to run. */
const needed = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "scancel"];

export const notInstalled = "Slurm is not installed: run `npm run setup -- --slurm` (installs slurmctld, slurmd, slurm-client and munge)";

/** Whether every binary a local cluster needs is installed. */
export function slurmInstalled(): boolean {
  return needed.every(onPath);
}

export interface Cluster {
  /** The temp folder holding everything. */
  dir: string;
  /** slurm.conf; SLURM_CONF for every client command. */
  conf: string;
  /** process.env plus SLURM_CONF: pass it to whatever runs sbatch. */
  env: NodeJS.ProcessEnv;
  /** The node's name (this host's). */
  node: string;
  /** munged, slurmctld, slurmd, as started. */
  pids: number[];
  stop(): Promise<void>;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin"]).some((d) => d !== "" && fs.existsSync(path.join(d, cmd)));
}

/** Throws notInstalled when a binary is missing: the test suite fails, never skips. */
export function requireSlurm(): void {
  const missing = needed.filter((c) => !onPath(c));
  if (missing.length > 0) throw new Error(`${notInstalled}; missing: ${missing.join(", ")}`);
}

/** A TCP port nothing listens on right now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Poll until `ok` or the deadline; false on timeout. The event loop runs meanwhile, so exited children get reaped. */
async function waitFor(ok: () => boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (ok()) return true;
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
}

function sbin(cmd: string): string {
  for (const d of ["/usr/sbin", "/sbin", ...(process.env.PATH ?? "").split(":")]) if (d && fs.existsSync(path.join(d, cmd))) return path.join(d, cmd);
  return cmd;
}

function slurmConf(dir: string, node: string, ctldPort: number, slurmdPort: number, socket: string): string {
  const cpus = os.cpus().length;
  const memMb = Math.floor(os.totalmem() / 2 ** 20);
  return [
    "ClusterName=modburst-test",
    `SlurmctldHost=${node}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    "AuthType=auth/munge",
    "CredType=cred/munge",
    `AuthInfo=socket=${socket}`,
    "SlurmUser=root",
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/slurmctld.log`,
    `SlurmdLogFile=${dir}/slurmd.log`,
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "JobAcctGatherType=jobacct_gather/none",
    "AccountingStorageType=accounting_storage/none",
    "JobCompType=jobcomp/none",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_CPU",
    "SchedulerType=sched/backfill",
    "ReturnToService=2",
    "MpiDefault=none",
    "MailProg=/bin/true",
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memMb} State=UNKNOWN`,
    "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
    "",
  ].join("\n");
}

/** Start a cluster and wait until its node is idle (a few seconds). */
export async function startCluster(): Promise<Cluster> {
  requireSlurm();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modburst-slurm-"));
  // munged refuses a socket in a folder only its owner can enter.
  fs.chmodSync(dir, 0o755);
  for (const d of ["state", "spool", "munge"]) fs.mkdirSync(path.join(dir, d), { mode: 0o755 });
  const key = path.join(dir, "munge", "munge.key");
  const fd = fs.openSync("/dev/urandom", "r");
  const bytes = Buffer.alloc(1024);
  fs.readSync(fd, bytes, 0, 1024, null);
  fs.closeSync(fd);
  fs.writeFileSync(key, bytes, { mode: 0o400 });
  const socket = path.join(dir, "munge", "munge.socket");
  const node = os.hostname().split(".")[0];
  const conf = path.join(dir, "slurm.conf");
  fs.writeFileSync(conf, slurmConf(dir, node, await freePort(), await freePort(), socket));
  const env = { ...process.env, SLURM_CONF: conf };
  const children: ChildProcess[] = [];
  const cluster: Cluster = { dir, conf, env, node, pids: [], stop: () => stopCluster(cluster, children) };
  const start = (cmd: string, args: string[]) => {
    const c = spawn(sbin(cmd), args, { env, stdio: ["ignore", "ignore", fs.openSync(path.join(dir, `${cmd}.stderr`), "w")] });
    c.on("error", () => undefined);
    children.push(c);
    if (c.pid !== undefined) cluster.pids.push(c.pid);
    return c;
  };
  try {
    start("munged", ["-F", `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${dir}/munge/munged.pid`, `--log-file=${dir}/munge/munged.log`, `--seed-file=${dir}/munge/munged.seed`]);
    if (!(await waitFor(() => fs.existsSync(socket), 10_000))) throw new Error(`munged did not start: ${tail(path.join(dir, "munge", "munged.log"))}`);
    start("slurmctld", ["-D"]);
    start("slurmd", ["-D", "-N", node]);
    const idle = await waitFor(() => spawnSync("sinfo", ["-h", "-o", "%T"], { env, encoding: "utf8" }).stdout?.trim() === "idle", 30_000, 200);
    if (!idle) throw new Error(`the test cluster's node never became idle: ${tail(path.join(dir, "slurmctld.log"))} | ${tail(path.join(dir, "slurmd.log"))}`);
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim().split("\n").slice(-3).join(" / ");
  } catch {
    return `(no ${path.basename(file)})`;
  }
}

/** Every process whose command line, working folder or environment mentions `dir` (job steps and jobs included). */
export function processesUsing(dir: string): number[] {
  const found: number[] = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, "utf8");
      let cwd = "";
      let environ = "";
      try {
        cwd = fs.readlinkSync(`/proc/${e}/cwd`);
        environ = fs.readFileSync(`/proc/${e}/environ`, "utf8");
      } catch {
        // Gone meanwhile, or not ours to read.
      }
      if (cmd.includes(dir) || cwd.startsWith(dir) || environ.includes(dir)) found.push(Number(e));
    } catch {
      // Exited between readdir and read.
    }
  }
  return found;
}

/** Exited job-step daemons not yet reaped by PID 1 (zombies: they no longer show whose they were). */
export function exitedStepDaemons(): number[] {
  const found: number[] = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (comm === "slurmstepd" && state === "Z" && ppid === "1") found.push(Number(e));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** The parent PID (slurmctld's own helper, slurmscriptd, is its child), or -1. */
function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
}

async function stopCluster(cluster: Cluster, children: ChildProcess[]): Promise<void> {
  // Jobs first, while the daemons can still end them and their step daemons.
  if (cluster.pids.length === 3) {
    spawnSync("scancel", ["--full", "--partition=debug"], { env: cluster.env, stdio: "ignore", timeout: 10_000 });
    await waitFor(() => {
      const q = spawnSync("squeue", ["-h", "-o", "%i"], { env: cluster.env, encoding: "utf8", timeout: 10_000 });
      return q.status !== 0 || q.stdout.trim() === "";
    }, 20_000, 250);
    // The step daemons (slurmstepd) of ended jobs exit shortly after.
    await waitFor(() => processesUsing(cluster.dir).every((p) => cluster.pids.includes(p) || cluster.pids.includes(parentOf(p))), 10_000, 200);
  }
  // slurmd, slurmctld, then munged (the others talk to it while they stop).
  for (const c of [...children].reverse()) {
    if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) continue;
    try {
      process.kill(c.pid, "SIGTERM");
    } catch {
      continue;
    }
    if (!(await waitFor(() => c.exitCode !== null || c.signalCode !== null || !alive(c.pid!), 10_000))) {
      process.kill(c.pid, "SIGKILL");
      await waitFor(() => !alive(c.pid!), 5_000);
    }
  }
  // A job step or job still running from a run that ended badly: by its PID, found through the folder.
  for (const p of processesUsing(cluster.dir)) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  await waitFor(() => processesUsing(cluster.dir).length === 0, 5_000);
  // Job steps (slurmstepd) detach to PID 1, which reaps them: wait until init has, so none is listed after stop().
  await waitFor(() => exitedStepDaemons().length === 0, 10_000, 200);
  fs.rmSync(cluster.dir, { recursive: true, force: true });
}
