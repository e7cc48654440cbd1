/**
 * modburst reproduce [--study NAME|FOLDER] [--timeout-seconds N] [--dir FOLDER] [--no-cache] [PREFIX...]   (npm run reproduce -- ...)
 * Sets the machine up if needed, then executes every notebook in name order.
 * Records come from the results cache unless --no-cache recomputes them all.
 * With --study (other than the seed's), each notebook runs with that study injected
 * into its parameters cell and is saved into the study's notebooks folder; a study
 * without a calibration record is calibrated first (the short calibration).
 */
import * as path from "path";
import { ensureSetup } from "../machine/setup";
import { checkNumber, invalid } from "../core/errors";
import { checkWritableDir, checkWritableFile } from "../core/fsutil";
import { OptionTable, parseCli } from "./args";
import { displayPath, paths } from "../core/paths";
import { describeFailure, installInterruptHandler, listNotebooks, recordsOf, runNotebooks, selectNotebooks } from "../6-notebooks/runner";
import { computeStudyRecords, StudyInputs, studyInputs, studyRecordNames } from "../4-studies/notebookRecords";
import { calibrateStudy, hasCalibration } from "../4-studies/calibration";
import { verdictLines } from "../7-pack/verdict";
import { loadStudy, primaryModule, seedStudyName, studiesEnv, Study, studyCells, studyScenario } from "../4-studies/study";
import { studyNote } from "../6-notebooks/studyText";
import { parametersCellIndex, studyBanner } from "../6-notebooks/parameters";
import * as fs from "fs";
import { cacheEnv, checkCacheWritable } from "../3-experiments/records/cache";
import { defaultThreads } from "../3-experiments/parallel/pool";
import { shareRenderer } from "../5-views/figures/render";
import { makeRunTmp, withProcessTmp } from "../machine/runTmp";
import type { CalibrationSettings } from "../3-experiments/calibrate/calibration";
import { studyFitCells, studySettings } from "../4-studies/settings";
import { parseMaxHours } from "./budget";
import { budgetCalibration, calibrateDefaultMaxHours } from "./calibrationBudget";
import { studyRemedy } from "./calibrate";

export const timeoutEnvVar = "MODBURST_CELL_TIMEOUT";

/**
 * Seconds per cell: --timeout-seconds, else MODBURST_CELL_TIMEOUT, else 900; the error
 * names whichever was given. Whole seconds only: nbclient's timeout is an integer.
 */
export function cellTimeout(flag: string | undefined, env: string | undefined): number {
  const [field, value] = flag !== undefined ? ["timeout-seconds", flag] : env !== undefined ? [timeoutEnvVar, env] : ["timeout-seconds", "900"];
  const n = checkNumber(field, value, 1, 86400);
  if (!Number.isInteger(n)) throw invalid(field, value, "whole seconds 1..86400");
  return n;
}

/** reproduce's options: what it parses and what `modburst reproduce --help` prints. */
export const reproduceOptions: OptionTable = {
  study: { type: "string", value: "NAME|FOLDER", help: "execute the notebooks for this study, into its own folder (default: the seed, into notebooks/)" },
  "timeout-seconds": { type: "string", value: "N", help: `stop a cell running longer than N whole seconds (default ${timeoutEnvVar} or 900)` },
  dir: { type: "string", value: "FOLDER", help: "the notebooks folder (default notebooks/)" },
  "no-cache": { type: "boolean", help: "recompute every record instead of reading the results cache" },
  "max-hours": { type: "string", value: "H", help: `refuse calibrating a study without a record when estimated over H hours, before it starts (default ${calibrateDefaultMaxHours})` },
};

export async function reproduceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, reproduceOptions, { positionals: true });
  const timeout = cellTimeout(values["timeout-seconds"] as string | undefined, process.env[timeoutEnvVar]);
  const maxHours = parseMaxHours(values["max-hours"] as string | undefined, calibrateDefaultMaxHours);
  const files = selectNotebooks(listNotebooks((values.dir as string | undefined) ?? paths.notebooks), positionals);
  // The study, checked whole before anything runs: study.json, its measured CSV and scenario, each notebook's parameters cell.
  const studyArg = values.study as string | undefined;
  const study = loadStudy(studyArg ?? seedStudyName);
  studyCells(study);
  primaryModule(study);
  const injected = studyArg !== undefined && !study.isSeed;
  if (injected) for (const f of files) parametersCellIndex(JSON.parse(fs.readFileSync(f, "utf8")).cells, displayPath(f));
  checkReproduceOutputs(files, study, injected);
  // A study without a record is calibrated first: its estimate and limit, as calibrate --study's, before any setup or work.
  let calibration: CalibrationSettings | undefined;
  if (!hasCalibration(study)) {
    const settings = studySettings(study);
    calibration = budgetCalibration(`calibrate: study ${study.name}`, studyFitCells(study, settings), settings, maxHours, studyRemedy(study.dir));
  }
  const state = ensureSetup();
  if (calibration !== undefined) {
    console.log(`calibrate: study ${study.name} has no ${displayPath(study.files.calibration)}; calibrating it first`);
    const t0 = Date.now();
    const budgeted = calibration;
    const record = await calibrateStudy(study, { beforeFit: () => budgeted, log: (line) => console.log(`calibrate [${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`) });
    console.log(`calibrate: wrote ${displayPath(study.files.calibration)} in ${((Date.now() - t0) / 1000).toFixed(1)} s (scenario ${studyScenario(study).name})`);
    for (const line of verdictLines(record.verdict)) console.log(`calibrate: ${line}`);
  }
  installInterruptHandler();
  const started = Date.now();
  // Experiments on every core, notebook by notebook in file order; each notebook starts once the records it
  // reads are there, so kernels (which mostly wait) run while later records compute.
  const needed = new Map(files.map((f) => [f, recordsOf(f, studyRecordNames)]));
  let inputs: StudyInputs | undefined;
  let chain: Promise<void> = Promise.resolve();
  const recordsReady = new Map<string, Promise<void>>();
  const asked = new Set<string>();
  for (const f of files) {
    const names = needed.get(f)!.filter((n) => !asked.has(n));
    names.forEach((n) => asked.add(n));
    chain = chain.then(async () => {
      if (names.length === 0) return;
      inputs ??= studyInputs(study);
      await computeStudyRecords(names, inputs, console.log);
    });
    recordsReady.set(f, chain);
    // Awaited by the notebook's lane; a lane that stopped early must not turn a failure into an unhandled rejection.
    chain.catch(() => undefined);
  }
  // The browsers' temp folders (this run's and its kernels') go into one folder that the run removes at its end.
  const runTmp = makeRunTmp("reproduce");
  // One browser renders the static images of every notebook (a single notebook's kernel starts its own, and only if it renders).
  const renderer = files.length > 1 ? await withProcessTmp(runTmp, () => shareRenderer()) : { env: {}, close: async () => undefined };
  // Registered after playwright's own exit hook (which kills the browser it launched): an interrupted run removes the folder too.
  process.once("exit", () => runTmp.remove());
  const env = {
    ...process.env,
    ...runTmp.env,
    ...renderer.env,
    ...(values["no-cache"] ? { [cacheEnv.noCache]: "1" } : {}),
    // The injected name resolves in the study's own parent folder (a study given as a path may live anywhere).
    ...(injected ? { [studiesEnv]: path.dirname(study.dir) } : {}),
  };
  const runStudy = injected ? { name: study.name, outDir: study.out.notebooks, note: studyBanner(study, studyNote(study)) } : undefined;
  // Two kernels side by side use both cores of a small machine; more only contend for memory.
  const concurrency = Math.min(2, defaultThreads());
  let outcomes;
  try {
    outcomes = await runNotebooks(files, { python: state.python, cellTimeoutSeconds: timeout, env, concurrency, study: runStudy, before: (f) => recordsReady.get(f)! }, console.log);
  } finally {
    await renderer.close();
    runTmp.remove();
  }
  const failed = outcomes.find((o) => !o.ok);
  const total = ((Date.now() - started) / 1000).toFixed(1);
  if (failed) {
    process.stderr.write(`modburst: ${describeFailure(failed)}\n`);
    console.log(`reproduce: ${outcomes.filter((o) => o.ok).length} of ${files.length} notebooks executed before stopping (${total} s)`);
    return 1;
  }
  console.log(`reproduce: ${files.length} notebooks executed in ${total} s${injected ? ` for study ${study.name}, into ${displayPath(study.out.notebooks)}` : ""}`);
  return 0;
}

/**
 * Before any record is computed or kernel started: every place the run writes
 * (each notebook, replaced by rename in its folder; data/derived/; the figure pack,
 * swapped in whole; the results cache) can be written, so a read-only checkout or a
 * file in the way is one line naming it, exit 1, not a failure minutes later.
 */
function checkReproduceOutputs(notebooks: string[], study: Study, injected: boolean): void {
  for (const f of notebooks) checkWritableFile(injected ? path.join(study.out.notebooks, path.basename(f)) : f);
  checkWritableFile(path.join(study.out.derived, "sensitivity.csv"));
  checkWritableDir(study.out.figures);
  checkCacheWritable();
  if (!hasCalibration(study)) checkWritableFile(study.files.calibration);
}
