/**
 * The bench's Slurm case: one small sweep run locally and through a throwaway
 * single-node Slurm on this machine (cluster/localCluster.ts), as a user runs
 * them (`modburst sweep ...` and `modburst sweep ... --slurm`), timed in
 * alternating rounds. The difference is what Slurm adds: its scheduling steps
 * (a task starts 1.5-2 s after submission, the next wave ~2 s after
 * completions), a Node start per task, and the watcher's 1 s polls. Skipped,
 * with a line saying so, where Slurm is not installed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { slurmInstalled, startCluster } from "../cluster/localCluster";
import { paths } from "../core/paths";
import { quantile } from "../core/stats/describe";

/** The sweep timed: 2 policies x 4 CPU counts x 2 latencies x 4 boots (64 jobs), split into 4 array tasks. */
export const slurmBenchGrid = ["--policy", "base,merge", "--cpus", "8,16,...,64", "--init-latency-ms", "0,50", "--boots", "4", "--seed", "3"];
export const slurmBenchTasks = 4;

export interface SlurmBench {
  localSeconds: number;
  slurmSeconds: number;
  /** Median over rounds of (through Slurm - local). */
  overheadSeconds: number;
  rounds: number;
  identical: boolean;
}

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(paths.root, "bin", "modburst.js"), "sweep", ...args], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench: sweep ${args.join(" ")} failed: ${r.stderr.trim().split("\n").pop()}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Null (with `log` told why) when Slurm is not installed. */
export async function benchSlurm(rounds: number, log: (line: string) => void): Promise<SlurmBench | null> {
  if (!slurmInstalled()) {
    log("slurm: skipped: Slurm is not installed (npm run setup -- --slurm installs it)");
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modburst-bench-slurm-"));
  const cluster = await startCluster();
  try {
    const local: number[] = [];
    const slurm: number[] = [];
    let identical = true;
    for (let round = 0; round < rounds; round++) {
      const a = path.join(dir, `local-${round}.csv`);
      const b = path.join(dir, `slurm-${round}.csv`);
      local.push(timed([...slurmBenchGrid, "--out", a], cluster.env));
      slurm.push(timed([...slurmBenchGrid, "--slurm", "--slurm-tasks", String(slurmBenchTasks), "--run-dir", path.join(dir, `run-${round}`), "--out", b], cluster.env));
      identical &&= fs.readFileSync(a).equals(fs.readFileSync(b));
      log(`slurm: round ${round + 1}: local ${local[round].toFixed(1)} s, through Slurm ${slurm[round].toFixed(1)} s`);
    }
    return {
      localSeconds: quantile(local, 0.5),
      slurmSeconds: quantile(slurm, 0.5),
      overheadSeconds: quantile(slurm.map((s, i) => s - local[i]), 0.5),
      rounds,
      identical,
    };
  } finally {
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
