/**
 * Making a fresh machine able to execute the notebooks: Jupyter's headless
 * executor, a project-local tslab kernelspec and a Chromium for static figures.
 * Idempotent: a second run changes nothing and installs nothing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../errors";
import { writeFileAtomic } from "../fsutil";
import { paths } from "../paths";
import { findChromium, installHint as chromiumHint, which } from "./browser";
import { findJupyterPython, JupyterPython, kernelSpecFile, writeKernelSpec } from "./jupyter";
import { findFrontEnd } from "./lab";

export interface SetupState {
  python: string;
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

export function manualInstructions(packages: string[]): string {
  return [
    "modburst setup: Jupyter's executor (nbclient + nbconvert) or Chromium is missing.",
    `  Debian/Ubuntu: sudo apt-get install ${packages.join(" ")}`,
    "  pip/conda:     pip install -r environment/requirements.txt   (or conda env create -f environment/environment.yml)",
    "                 then MODBURST_PYTHON=/path/to/that/python npm run setup",
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

/** Full setup: find or install what is missing, write the kernelspec and the state file. */
export function setup(log: (line: string) => void = console.log): SetupState {
  let python = findJupyterPython();
  let chromium = findChromium();
  const frontEnd = () => findFrontEnd(process.env, paths.notebooks);
  if (!python || !chromium || (!frontEnd() && canAptInstall())) {
    const packages = readAptList();
    if (!canAptInstall()) throw new UserError(manualInstructions(packages), 3);
    aptInstall(packages, log);
    python = findJupyterPython();
    chromium = findChromium();
    if (!python || !chromium) throw new UserError(manualInstructions(packages), 3);
  }
  // Optional: only `npm run lab` needs an interactive front end, and it says what to install.
  if (!frontEnd()) log("setup: no JupyterLab or classic notebook found; npm run lab will say what to install");
  const wrote = writeKernelSpec();
  const state: SetupState = { python: python.python, versions: python.versions, chromium, kernelSpec: kernelSpecFile() };
  writeFileAtomic(stateFile, JSON.stringify(state, null, 2) + "\n");
  log(
    `setup: python ${state.python} (nbclient ${state.versions.nbclient}, nbconvert ${state.versions.nbconvert}); ` +
      `chromium ${chromium}; kernelspec ${wrote ? "written" : "unchanged"} at ${path.relative(paths.root, state.kernelSpec)}`,
  );
  return state;
}

/** The stored setup if it still holds (python present, kernelspec present), else a fresh setup. */
export function ensureSetup(log: (line: string) => void = console.log): SetupState {
  try {
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as SetupState;
    if (fs.existsSync(state.python) && fs.existsSync(state.chromium) && fs.existsSync(kernelSpecFile()) && !writeKernelSpec()) return state;
  } catch {
    // no state yet, or unreadable: fall through to a full setup
  }
  return setup(log);
}
