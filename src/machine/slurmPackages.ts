/**
 * `modburst setup --slurm`: Slurm's daemons and client commands and munge, from
 * Debian's packages, for `sweep --slurm` on this machine and for the test suite
 * (npm run test:slurm starts a throwaway single-node cluster from them).
 * Installs as root with apt-get; otherwise says what to install. Idempotent: with
 * every command present it installs nothing and returns at once.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { UserError } from "../core/errors";
import { which } from "./browser";

/** Debian package -> a command it provides (found on PATH or in /usr/sbin). */
export const slurmPackages: Record<string, string> = { slurmctld: "slurmctld", slurmd: "slurmd", "slurm-client": "sbatch", munge: "munged" };

const installLine = `apt-get install -y --no-install-recommends ${Object.keys(slurmPackages).join(" ")}`;

/** Packages whose command is missing. */
export function missingSlurmPackages(env: NodeJS.ProcessEnv = process.env): string[] {
  const searchPath = [env.PATH ?? "", "/usr/sbin", "/sbin"].join(path.delimiter);
  return Object.entries(slurmPackages)
    .filter(([, cmd]) => which(cmd, searchPath) === null)
    .map(([pkg]) => pkg);
}

/** `Slurm 22.05.8-4+deb12u3` from dpkg (sbatch --version needs a cluster's config), or null. */
function slurmVersion(): string | null {
  const r = spawnSync("dpkg-query", ["-W", "-f", "${Version}", "slurm-client"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() !== "" ? `Slurm ${r.stdout.trim()}` : null;
}

export function setupSlurm(log: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env): void {
  let missing = missingSlurmPackages(env);
  if (missing.length === 0) {
    log(`setup --slurm: already installed (${slurmVersion() ?? "Slurm"}, munge); nothing to do`);
    return;
  }
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = which("apt-get", env.PATH ?? "") !== null;
  if (!root || !apt) {
    throw new UserError(`setup --slurm: missing ${missing.join(", ")} (allowed: install them, e.g. sudo ${installLine}, or run npm run setup -- --slurm as root on Debian/Ubuntu)`, 3);
  }
  log(`setup --slurm: ${installLine}`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => spawnSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...Object.keys(slurmPackages)], { stdio: ["ignore", "inherit", "inherit"], env: aptEnv });
  let r = install();
  if (r.status !== 0) {
    // A fresh machine has empty package lists; update once and retry.
    spawnSync("apt-get", ["update", "-q"], { stdio: ["ignore", "inherit", "inherit"], env: aptEnv });
    r = install();
  }
  missing = missingSlurmPackages(env);
  if (r.status !== 0 || missing.length > 0) throw new UserError(`setup --slurm: apt-get install failed (exit ${r.status}${missing.length ? `; still missing ${missing.join(", ")}` : ""}) (allowed: fix apt, then ${installLine})`, 3);
  // The packages try to start their services, which fails harmlessly without systemd; the tests start their own.
  log(`setup --slurm: installed ${slurmVersion() ?? "Slurm"} and munge`);
}
