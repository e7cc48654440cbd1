/**
 * The project's virtual environment (.venv/): JupyterLab 4, nbclient, nbconvert,
 * jupyter_client and plotly at the exact pins of environment/requirements.txt.
 * A stamp inside the venv records the hash of requirements.txt, so a second setup
 * installs nothing and an edited requirements.txt is installed again.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../core/fsutil";
import { paths } from "../core/paths";
import { which } from "./browser";

/** Puts the virtual environment elsewhere (tests use it to leave the checkout's .venv alone). */
export const venvEnvVar = "MODBURST_VENV";
/** The distribution's python (Debian's packages live under it); overridable where it lives elsewhere. */
export const systemPythonEnvVar = "MODBURST_SYSTEM_PYTHON";

export const stampName = "modburst-requirements.sha256";

export function venvDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[venvEnvVar] || paths.venv;
}

export function venvPython(dir: string = venvDir()): string {
  return path.join(dir, "bin", "python");
}

export function systemPython(env: NodeJS.ProcessEnv = process.env): string {
  return env[systemPythonEnvVar] || "/usr/bin/python3";
}

export function requirementsHash(file: string = paths.requirements): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The venv has a python and was installed from this very requirements.txt. */
export function venvUpToDate(dir: string = venvDir(), requirements: string = paths.requirements): boolean {
  try {
    return fs.existsSync(venvPython(dir)) && fs.readFileSync(path.join(dir, stampName), "utf8").trim() === requirementsHash(requirements);
  } catch {
    return false;
  }
}

/** Pythons that may create the venv: the user's python3 first, then the system's. */
export function venvBasePythons(env: NodeJS.ProcessEnv = process.env): string[] {
  const onPath = which("python3", env.PATH ?? "");
  return [...new Set([...(onPath ? [onPath] : []), systemPython(env)])].filter((p) => fs.existsSync(p));
}

/**
 * pip's default of 5 retries makes every package wait on an index that cannot be
 * reached (~8 s each here, ~12 min in all) before it falls back to the configured
 * extra index. A retry setting of the user's (PIP_RETRIES or pip's config) wins.
 */
export function pipRetryArgs(env: NodeJS.ProcessEnv, configured: boolean): string[] {
  const userSet = (env.PIP_RETRIES ?? "") !== "" || configured;
  return userSet ? [] : ["--retries", "0"];
}

function pipConfigSetsRetries(python: string): boolean {
  const r = spawnSync(python, ["-m", "pip", "config", "list"], { encoding: "utf8", timeout: 60_000 });
  return r.status === 0 && /^\S*\.retries=/m.test(r.stdout);
}

export type VenvResult = { ok: true; python: string; installed: boolean; seconds: number } | { ok: false; problem: string };

/** pip's output goes to stderr: stdout may be a printed command (lab --print-command). */
const toStderr = { stdio: ["ignore", 2, 2] as ["ignore", number, number] };

function createVenv(dir: string, env: NodeJS.ProcessEnv, log: (line: string) => void): string | null {
  const bases = venvBasePythons(env);
  if (bases.length === 0) return `no python3 to create ${dir} with`;
  for (const base of bases) {
    log(`setup: ${base} -m venv ${dir}`);
    // --clear: a venv whose python vanished (its base python was removed) is rebuilt, not patched.
    if (spawnSync(base, ["-m", "venv", "--clear", dir], { ...toStderr, timeout: 300_000 }).status === 0) return null;
  }
  return `python3 -m venv failed (${bases.join(", ")}; on Debian: apt-get install python3-venv)`;
}

/** Create the venv if needed and install requirements.txt unless the stamp says it is there already. */
export function ensureVenv(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env, requirements: string = paths.requirements): VenvResult {
  const dir = venvDir(env);
  const started = Date.now();
  if (venvUpToDate(dir, requirements)) return { ok: true, python: venvPython(dir), installed: false, seconds: 0 };
  if (!fs.existsSync(venvPython(dir))) {
    const problem = createVenv(dir, env, log);
    if (problem) return { ok: false, problem };
  }
  const python = venvPython(dir);
  // The user's pip configuration (index, find-links, constraints, certificates) applies as it is.
  const args = ["-m", "pip", "install", "--quiet", ...pipRetryArgs(env, pipConfigSetsRetries(python)), "-r", requirements];
  log(`setup: ${python} ${args.join(" ")}`);
  const r = spawnSync(python, args, { ...toStderr, env, timeout: 1_800_000 });
  if (r.status !== 0) return { ok: false, problem: `pip install -r ${path.relative(paths.root, requirements)} into ${dir} failed (exit ${r.status ?? r.signal})` };
  writeFileAtomic(path.join(dir, stampName), requirementsHash(requirements) + "\n");
  return { ok: true, python, installed: true, seconds: (Date.now() - started) / 1000 };
}
