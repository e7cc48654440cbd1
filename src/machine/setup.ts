/**
 * Making a fresh machine able to execute the notebooks: Jupyter's headless
 * executor and JupyterLab in the project's .venv/ (Debian's packages as the
 * fallback), a project-local tslab kernelspec and a Chromium for static figures.
 * Idempotent: a second run changes nothing and installs nothing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../core/errors";
import { writeFileAtomic } from "../core/fsutil";
import { paths } from "../core/paths";
import { findChromium, installHint as chromiumHint, which } from "./browser";
import { findJupyterPython, JupyterPython, kernelSpecFile, probePython, pythonEnvVar, writeKernelSpec } from "./jupyter";
import { FrontEnd, findFrontEnd } from "./lab";
import { ensureVenv, venvDir, venvPython, venvUpToDate } from "./venv";

export interface SetupState {
  python: string;
  /** Where the executor python came from: MODBURST_PYTHON, the project's .venv, or the system (Debian's packages). */
  source: PythonSource;
  versions: JupyterPython["versions"];
  chromium: string;
  kernelSpec: string;
}

export const stateFile = path.join(paths.jupyterPath, "modburst-setup.json");

/** Debian packages from environment/apt.txt (one per line, `#` comments). */
export function readAptList(file: string = paths.aptList): string[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "");
}

/** Installing by apt is possible only on Debian-like systems, as root. */
export function canAptInstall(env: NodeJS.ProcessEnv = process.env): boolean {
  return which("apt-get", env.PATH ?? "") !== null && typeof process.getuid === "function" && process.getuid() === 0;
}

/** The one message when neither the venv nor Debian's packages give what is needed (exit 3). */
export function manualInstructions(packages: string[], venvProblem?: string, missing: { python: boolean; chromium: boolean } = { python: true, chromium: true }): string {
  const what = [missing.python ? "no python with Jupyter's executor (nbclient + nbconvert)" : "", missing.chromium ? "no Chromium" : ""].filter((w) => w);
  return [
    `setup: ${what.join(" and ") || "nothing missing"}.`,
    ...(venvProblem ? [`  .venv/ failed: ${venvProblem}`] : []),
    "Install by one of these, then run npm run setup again:",
    "  pip:           pip install -r environment/requirements.txt (any python), then MODBURST_PYTHON=/that/python npm run setup",
    "  conda:         conda env create -f environment/environment.yml, then MODBURST_PYTHON=$(which python) npm run setup",
    `  Debian/Ubuntu: sudo apt-get install ${packages.join(" ")}`,
    `  Browser:       ${chromiumHint}`,
  ].join("\n");
}

function aptInstall(packages: string[], log: (line: string) => void): void {
  log(`setup: apt-get install ${packages.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => spawnSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...packages], { stdio: "inherit", env });
  let r = install();
  if (r.status !== 0) {
    // A fresh machine has empty package lists; update once and retry.
    spawnSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
    r = install();
  }
  if (r.status !== 0) throw new UserError(`apt-get install failed (exit ${r.status})\n${manualInstructions(packages)}`, 3);
}

export type PythonSource = "MODBURST_PYTHON" | "venv" | "system";

interface Executor {
  python: JupyterPython | null;
  source: PythonSource;
  /** Why the venv is not used, when it failed. */
  venvProblem?: string;
  venvNote?: string;
}

/** MODBURST_PYTHON if it works (then no venv is made), else the project's venv, else Debian's python. */
function findExecutor(log: (line: string) => void, env: NodeJS.ProcessEnv): Executor {
  const named = env[pythonEnvVar] ? probePython(env[pythonEnvVar] as string) : null;
  if (named) return { python: named, source: "MODBURST_PYTHON" };
  const venv = ensureVenv(log, env);
  if (venv.ok) {
    const python = probePython(venv.python);
    const note = venv.installed ? `installed in ${venv.seconds.toFixed(1)} s` : "requirements unchanged, nothing installed";
    if (python) return { python, source: "venv", venvNote: note };
  }
  const venvProblem = venv.ok ? `${venv.python} cannot import nbclient` : venv.problem;
  // A venv that failed is not used even if an older install in it still imports.
  return { python: findJupyterPython(env, { venv: false }), source: "system", venvProblem };
}

/** Full setup: find or install what is missing, write the kernelspec and the state file. */
export function setup(log: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env): SetupState {
  const executor = findExecutor(log, env);
  let python = executor.python;
  let chromium = findChromium(env);
  let front: FrontEnd | null | undefined;
  const frontEnd = () => (front === undefined ? (front = findFrontEnd(env, paths.notebooks)) : front);
  if (!python || !chromium || (!frontEnd() && canAptInstall(env))) {
    const packages = readAptList();
    if (!canAptInstall(env)) throw new UserError(manualInstructions(packages, executor.venvProblem, { python: !python, chromium: !chromium }), 3);
    aptInstall(packages, log);
    front = undefined;
    python = executor.python ?? findJupyterPython(env, { venv: false });
    chromium = findChromium(env);
    if (!python || !chromium) throw new UserError(manualInstructions(packages, executor.venvProblem, { python: !python, chromium: !chromium }), 3);
  }
  if (executor.venvProblem) log(`setup: not using ${displayPath(venvDir(env))}: ${executor.venvProblem}; falling back to ${python.python}`);
  // Optional: only `npm run lab` needs an interactive front end, and it says what to install.
  if (!frontEnd()) log("setup: no JupyterLab or classic notebook found; npm run lab will say what to install");
  const wrote = writeKernelSpec();
  const source = executor.source;
  const state: SetupState = { python: python.python, source, versions: python.versions, chromium, kernelSpec: kernelSpecFile() };
  writeFileAtomic(stateFile, JSON.stringify(state, null, 2) + "\n");
  log(
    `setup: python ${displayPath(state.python)} (${source}${executor.venvNote && source === "venv" ? `: ${executor.venvNote}` : ""}; ` +
      `nbclient ${state.versions.nbclient}, nbconvert ${state.versions.nbconvert}); ` +
      `chromium ${chromium}; kernelspec ${wrote ? "written" : "unchanged"} at ${path.relative(paths.root, state.kernelSpec)}`,
  );
  return state;
}

function displayPath(file: string): string {
  const rel = path.relative(paths.root, file);
  return rel.startsWith("..") ? file : rel;
}

/**
 * Whether the stored python is still the one setup would choose: MODBURST_PYTHON
 * (set, changed or unset since), and a venv installed from this requirements.txt.
 * A state from before the venv existed (no `source`) is redone.
 */
function pythonStillChosen(state: SetupState, env: NodeJS.ProcessEnv): boolean {
  const named = env[pythonEnvVar] || undefined;
  if (named !== undefined || state.source === "MODBURST_PYTHON") return state.source === "MODBURST_PYTHON" && state.python === named;
  if (state.source === "venv") return state.python === venvPython(venvDir(env)) && venvUpToDate(venvDir(env));
  return state.source === "system";
}

/** The stored setup if it still holds (python chosen and present, kernelspec present), else a fresh setup. */
export function ensureSetup(log: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env): SetupState {
  try {
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as SetupState;
    const holds = pythonStillChosen(state, env) && fs.existsSync(state.python) && fs.existsSync(state.chromium);
    if (holds && fs.existsSync(kernelSpecFile()) && !writeKernelSpec()) return state;
  } catch {
    // no state yet, or unreadable: fall through to a full setup
  }
  return setup(log, env);
}
