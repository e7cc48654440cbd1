/** Every path the kit reads or writes, defined once. */
import * as path from "path";

/** The checkout: dist/core/paths.js and src/core/paths.ts both sit two levels below it. */
export const projectRoot = path.resolve(__dirname, "..", "..");

export const paths = {
  root: projectRoot,
  notebooks: path.join(projectRoot, "notebooks"),
  data: path.join(projectRoot, "data"),
  measured: path.join(projectRoot, "data", "measured"),
  /** Studies, one folder each (src/4-studies/study.ts; MODBURST_STUDIES_DIR overrides it at run time). */
  studies: path.join(projectRoot, "data", "studies"),
  /** The seed study: its notebooks, figures and derived CSVs stay in notebooks/, figures/, data/derived/. */
  seedStudy: path.join(projectRoot, "data", "studies", "pavlu-2022-10-15"),
  measuredCsv: path.join(projectRoot, "data", "studies", "pavlu-2022-10-15", "measured.csv"),
  /** Scenario files of the external measurements' machines (the seed's machine is its study's scenario.json). */
  scenarios: path.join(projectRoot, "data", "scenarios"),
  seedScenario: path.join(projectRoot, "data", "studies", "pavlu-2022-10-15", "scenario.json"),
  /** Independent public measurements, for validation only (never fitted). */
  externalMeasurements: path.join(projectRoot, "data", "measured", "external", "measurements.csv"),
  /** The seed study's calibration record (the default of --params). */
  calibratedParams: path.join(projectRoot, "data", "studies", "pavlu-2022-10-15", "calibration.json"),
  /** Overridable so tests can execute notebooks without touching the committed outputs. */
  derived: process.env.MODBURST_DERIVED_DIR || path.join(projectRoot, "data", "derived"),
  /** The results cache (src/3-experiments/records/cache.ts; MODBURST_CACHE_DIR overrides it at run time). Not committed. */
  recordCache: path.join(projectRoot, ".cache", "records"),
  figures: process.env.MODBURST_FIGURES_DIR || path.join(projectRoot, "figures"),
  environment: path.join(projectRoot, "environment"),
  /** Put on JUPYTER_PATH by every project command; holds kernels/tslab/kernel.json. */
  jupyterPath: path.join(projectRoot, ".jupyter"),
  /** Put on JUPYTER_CONFIG_PATH by `modburst lab`; holds labconfig/default_setting_overrides.json. */
  jupyterConfigPath: path.join(projectRoot, ".jupyter", "config"),
  tslabBin: path.join(projectRoot, "node_modules", ".bin", "tslab"),
  executeNotebookPy: path.join(projectRoot, "environment", "execute_notebook.py"),
  aptList: path.join(projectRoot, "environment", "apt.txt"),
  /** Exact pins installed into the project's virtual environment (environment.yml carries the same). */
  requirements: path.join(projectRoot, "environment", "requirements.txt"),
  condaEnvironment: path.join(projectRoot, "environment", "environment.yml"),
  /** The project's virtual environment (not committed; MODBURST_VENV overrides it at run time). */
  venv: path.join(projectRoot, ".venv"),
  plotlyJs: path.join(projectRoot, "node_modules", "plotly.js-dist-min", "plotly.min.js"),
};

/** The kernelspec name notebooks ask for. */
export const kernelName = "tslab";

/**
 * The name under which `modburst setup --user` registers the kernel in the user's
 * Jupyter data directory: not "tslab", which may be the user's own global tslab.
 */
export const userKernelName = "modburst-tslab";

/** A file path as the user should see it: relative to the checkout when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(projectRoot, file);
  return rel.startsWith("..") ? file : rel;
}
