/** Finding an interactive Jupyter front end: JupyterLab first, the classic notebook as a fallback; the project lab's settings. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../core/fsutil";
import { paths } from "../core/paths";
import { isExecutable, which } from "./browser";
import { pythonCandidates } from "./jupyter";

/**
 * Defaults for JupyterLab 4's plugin settings in the project's lab: no "Would you
 * like to get notified about official Jupyter news?" toast and no update check
 * (both ask a website; the announcements plugin shows the toast while fetchNews is
 * "none", its schema default). They are defaults, not locks: a choice saved in the
 * user's own settings still wins, and so does the user's own
 * default_setting_overrides.json (jupyter_server's ConfigManager reads the user's
 * config dir before JUPYTER_CONFIG_PATH).
 */
export const labSettingDefaults = {
  "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
};

/**
 * Write the defaults where jupyterlab_server looks for them
 * (`<config dir>/labconfig/default_setting_overrides.json`, read by
 * settings_utils._get_overrides for every dir of jupyter_config_path()) and the
 * environment that adds that dir to JUPYTER_CONFIG_PATH. Idempotent.
 */
export function labConfigEnv(base: NodeJS.ProcessEnv, configDir: string = paths.jupyterConfigPath): NodeJS.ProcessEnv {
  const file = path.join(configDir, "labconfig", "default_setting_overrides.json");
  const text = JSON.stringify(labSettingDefaults, null, 2) + "\n";
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) writeFileAtomic(file, text);
  const rest = base.JUPYTER_CONFIG_PATH ? path.delimiter + base.JUPYTER_CONFIG_PATH : "";
  return { ...base, JUPYTER_CONFIG_PATH: configDir + rest };
}

export interface FrontEnd {
  name: "jupyterlab" | "notebook";
  command: string;
  args: string[];
}

/** Locating the module is enough here (importing jupyterlab takes seconds); Jupyter reports a broken install itself. */
function canImport(python: string, module: string): boolean {
  const code = `import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("${module}") else 1)`;
  return spawnSync(python, ["-c", code], { stdio: "ignore", timeout: 60_000 }).status === 0;
}

/** JupyterLab of this python: its own `jupyter-lab` script (what a user would type), else `python -m jupyterlab`. */
function labOf(python: string, notebookDir: string): FrontEnd {
  const script = path.join(path.dirname(python), "jupyter-lab");
  const dirArg = `--notebook-dir=${notebookDir}`;
  return isExecutable(script) ? { name: "jupyterlab", command: script, args: [dirArg] } : { name: "jupyterlab", command: python, args: ["-m", "jupyterlab", dirArg] };
}

/**
 * JupyterLab from MODBURST_PYTHON, the project's venv or a system python (in that
 * order), then a `jupyter-lab` on PATH; the classic notebook only when no JupyterLab exists.
 */
export function findFrontEnd(env: NodeJS.ProcessEnv = process.env, notebookDir: string): FrontEnd | null {
  const pythons = pythonCandidates(env);
  for (const python of pythons) {
    if (canImport(python, "jupyterlab")) return labOf(python, notebookDir);
  }
  const labOnPath = which("jupyter-lab", env.PATH ?? "");
  if (labOnPath) return { name: "jupyterlab", command: labOnPath, args: [`--notebook-dir=${notebookDir}`] };
  for (const python of pythons) {
    if (canImport(python, "notebook")) return { name: "notebook", command: python, args: ["-m", "notebook", `--notebook-dir=${notebookDir}`] };
  }
  return null;
}

export const labInstallHint =
  "no JupyterLab or classic notebook found: npm run setup (installs JupyterLab into .venv/ from environment/requirements.txt), " +
  "or conda env create -f environment/environment.yml, or on Debian apt-get install jupyter-notebook; " +
  "a python elsewhere can be named with MODBURST_PYTHON";
