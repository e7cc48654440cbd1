/** Finding Jupyter's headless executor and registering the project's tslab kernel. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../fsutil";
import { kernelName, paths } from "../paths";
import { which } from "./browser";

/** Names a python that has nbclient and nbconvert, ahead of the defaults. */
export const pythonEnvVar = "MODBURST_PYTHON";

export interface JupyterPython {
  python: string;
  versions: { nbclient: string; nbconvert: string; jupyter_client: string };
}

const probe =
  "import json, nbclient, nbconvert, jupyter_client; " +
  "print(json.dumps({'nbclient': nbclient.__version__, 'nbconvert': nbconvert.__version__, 'jupyter_client': jupyter_client.__version__}))";

/**
 * Pythons to try, in order. Debian's packages live under /usr/bin/python3, which a
 * pyenv shim earlier on PATH would otherwise hide.
 */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list: string[] = [];
  if (env[pythonEnvVar]) list.push(env[pythonEnvVar] as string);
  list.push("/usr/bin/python3");
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

export function findJupyterPython(env: NodeJS.ProcessEnv = process.env): JupyterPython | null {
  for (const python of pythonCandidates(env)) {
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

export function kernelSpecFile(jupyterPath: string = paths.jupyterPath): string {
  return path.join(jupyterPath, "kernels", kernelName, "kernel.json");
}

/** Write the kernelspec; returns false when it was already there and identical (idempotent). */
export function writeKernelSpec(jupyterPath: string = paths.jupyterPath, tslabBin: string = paths.tslabBin): boolean {
  const file = kernelSpecFile(jupyterPath);
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
