/** Finding Jupyter's headless executor and registering the project's tslab kernel. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../core/fsutil";
import { kernelName, paths, userKernelName } from "../core/paths";
import { which } from "./browser";
import { systemPython, venvDir, venvPython } from "./venv";

/** Names a python that has nbclient and nbconvert, ahead of the defaults. */
export const pythonEnvVar = "MODBURST_PYTHON";

export interface JupyterPython {
  python: string;
  versions: { nbclient: string; nbconvert: string; jupyter_client: string };
}

// The same import skip as environment/execute_notebook.py: jsonschema's optional
// rfc3987_syntax builds a grammar at import (~1.5 s per probe), and nothing here needs it.
const probe =
  "import sys; sys.modules.setdefault('rfc3987_syntax', None); " +
  "import json, nbclient, nbconvert, jupyter_client; " +
  "print(json.dumps({'nbclient': nbclient.__version__, 'nbconvert': nbconvert.__version__, 'jupyter_client': jupyter_client.__version__}))";

/**
 * Pythons to try, in order: the user's choice, the project's venv (pinned
 * versions), then Debian's /usr/bin/python3, which a pyenv shim earlier on PATH
 * would otherwise hide. `venv: false` is the fallback when the venv failed.
 */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env, opts: { venv?: boolean } = {}): string[] {
  const list: string[] = [];
  if (env[pythonEnvVar]) list.push(env[pythonEnvVar] as string);
  if (opts.venv ?? true) list.push(venvPython(venvDir(env)));
  list.push(systemPython(env));
  const onPath = which("python3", env.PATH ?? "");
  if (onPath) list.push(onPath);
  return [...new Set(list)];
}

/** Whether this python can import nbclient, nbconvert and jupyter_client; their versions if so. */
export function probePython(python: string): JupyterPython | null {
  const r = spawnSync(python, ["-c", probe], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0 || !r.stdout) return null;
  try {
    return { python, versions: JSON.parse(r.stdout.trim().split("\n").pop() as string) };
  } catch {
    return null;
  }
}

export function findJupyterPython(env: NodeJS.ProcessEnv = process.env, opts: { venv?: boolean } = {}): JupyterPython | null {
  for (const python of pythonCandidates(env, opts)) {
    const found = probePython(python);
    if (found) return found;
  }
  return null;
}

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
}

/** The kernelspec for this checkout's own tslab (never a global one). */
export function kernelSpec(tslabBin: string = paths.tslabBin): KernelSpec {
  return {
    argv: [tslabBin, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (modburst)",
    language: "typescript",
  };
}

export function kernelSpecFile(jupyterPath: string = paths.jupyterPath, name: string = kernelName): string {
  return path.join(jupyterPath, "kernels", name, "kernel.json");
}

/** Write the kernelspec; returns false when it was already there and identical (idempotent). */
export function writeKernelSpec(jupyterPath: string = paths.jupyterPath, tslabBin: string = paths.tslabBin, name: string = kernelName): boolean {
  const file = kernelSpecFile(jupyterPath, name);
  const text = JSON.stringify(kernelSpec(tslabBin), null, 2) + "\n";
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return false;
  writeFileAtomic(file, text);
  return true;
}

/** The environment every project command gives Jupyter: the project kernel first on JUPYTER_PATH. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env, jupyterPath: string = paths.jupyterPath): NodeJS.ProcessEnv {
  const rest = base.JUPYTER_PATH ? path.delimiter + base.JUPYTER_PATH : "";
  return { ...base, JUPYTER_PATH: jupyterPath + rest };
}

// jupyter_core answers as `jupyter --data-dir` does: JUPYTER_DATA_DIR, else the platform's default.
const dataDirProbe = "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())";

/** The user's Jupyter data directory, asked of the first of `pythons` that has jupyter_core. */
export function jupyterDataDir(pythons: string[], env: NodeJS.ProcessEnv = process.env): string | null {
  for (const python of pythons) {
    const r = spawnSync(python, ["-c", dataDirProbe], { encoding: "utf8", env, timeout: 60_000 });
    const dir = r.status === 0 ? r.stdout.trim() : "";
    if (dir) return dir;
  }
  return null;
}

/** Register this checkout's kernel for the user's own JupyterLab or VS Code; the kernel.json written. */
export function registerUserKernel(dataDir: string, tslabBin: string = paths.tslabBin): { file: string; written: boolean } {
  const written = writeKernelSpec(dataDir, tslabBin, userKernelName);
  return { file: kernelSpecFile(dataDir, userKernelName), written };
}

/** Undo registerUserKernel; false when there was nothing to remove. */
export function removeUserKernel(dataDir: string): boolean {
  const dir = path.dirname(kernelSpecFile(dataDir, userKernelName));
  if (!fs.existsSync(dir)) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}
