/** Finding an interactive Jupyter front end: JupyterLab first, the classic notebook as a fallback. */
import { spawnSync } from "child_process";
import { which } from "./browser";
import { pythonCandidates } from "./jupyter";

export interface FrontEnd {
  name: "jupyterlab" | "notebook";
  command: string;
  args: string[];
}

function canImport(python: string, module: string): boolean {
  return spawnSync(python, ["-c", `import ${module}`], { stdio: "ignore", timeout: 60_000 }).status === 0;
}

export function findFrontEnd(env: NodeJS.ProcessEnv = process.env, notebookDir: string): FrontEnd | null {
  const labOnPath = which("jupyter-lab", env.PATH ?? "");
  if (labOnPath) return { name: "jupyterlab", command: labOnPath, args: [`--notebook-dir=${notebookDir}`] };
  const pythons = pythonCandidates(env);
  for (const python of pythons) {
    if (canImport(python, "jupyterlab")) return { name: "jupyterlab", command: python, args: ["-m", "jupyterlab", `--notebook-dir=${notebookDir}`] };
  }
  for (const python of pythons) {
    if (canImport(python, "notebook")) return { name: "notebook", command: python, args: ["-m", "notebook", `--notebook-dir=${notebookDir}`] };
  }
  return null;
}

export const labInstallHint =
  "no JupyterLab or classic notebook found: pip install -r environment/requirements.txt " +
  "(or conda env create -f environment/environment.yml), or on Debian apt-get install jupyter-notebook; " +
  "a python elsewhere can be named with MODBURST_PYTHON";
