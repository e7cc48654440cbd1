/**
 * Calibrate a study folder (study.ts): its measured cells, simulated on its own
 * scenario, with the settings of its calibrate.json; the record goes to the
 * folder's calibration file. The seed's calibration (`modburst calibrate`
 * without --study-dir) does not come through here.
 */
import { UserError } from "../errors";
import { displayPath } from "../data/csv";
import { checkWritableFile } from "../fsutil";
import { calibrate, CalibrationRecord, CalibrationSettings, defaultSettings, writeCalibration } from "./calibration";
import { FreeParam, freeParams } from "./bounds";
import { readStudy, readStudyCalibrateFile, readStudyCells, readStudyScenario } from "./study";

export interface CalibrateStudyOptions {
  /** Overrides calibrate.json's fit seed. */
  seed?: number;
  /** Overrides calibrate.json's number of bootstrap refits. */
  refits?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Write the record to the study's calibration file (default true). */
  write?: boolean;
}

/** The settings a study's calibration runs with: calibrate.json over the seed's defaults, the options over both. */
export function studySettings(studyDir: string, o: Pick<CalibrateStudyOptions, "seed" | "refits"> = {}): CalibrationSettings {
  const study = readStudy(studyDir);
  const scenario = readStudyScenario(study);
  const file = readStudyCalibrateFile(study);
  const free: FreeParam[] = (file.free ?? freeParams).map(({ name, lo, hi, why }) => ({ name, lo, hi, why }));
  const start = { ...file.fixed };
  for (const f of file.free ?? []) if (f.start !== undefined) start[f.name] = f.start;
  const boots = file.boots ?? defaultSettings.boots;
  const checkBoots = file.checkBoots ?? defaultSettings.checkBoots;
  for (const policy of new Set(Object.values(study.configs))) {
    if (!(policy in boots) || !(policy in checkBoots)) throw new UserError(`invalid ${displayPath(study.dir)}/calibrate.json: boots and checkBoots need policy ${policy} (allowed: an entry for every policy of study.json's configs)`);
  }
  const seed = o.seed ?? file.seed ?? defaultSettings.seed;
  let checkSeed = file.checkSeed ?? defaultSettings.checkSeed;
  // The check must be on boots no fit used.
  if (checkSeed === seed) checkSeed = seed + 1000003;
  const configs = Object.keys(study.configs);
  return {
    cpus: scenario.cpus,
    seed,
    boots,
    checkSeed,
    checkBoots,
    refits: o.refits ?? file.refits ?? defaultSettings.refits,
    refitEvals: file.refitEvals ?? defaultSettings.refitEvals,
    maxIterations: defaultSettings.maxIterations,
    scenario,
    free,
    start,
    heldOutConfig: file.heldOutConfig ?? (configs.includes("my") ? "my" : configs[configs.length - 1]),
    description:
      `${study.title}: calibrated parameters of the modburst model for study ${study.name} (scenario ${scenario.name}, ${scenario.cpus} CPUs), ` +
      `fitted to the expected span of each cell of ${displayPath(study.measuredFile)}. Written by \`modburst calibrate --study-dir ${displayPath(study.dir)}\`.`,
  };
}

/** Fit the study and (by default) write its calibration record; the record. */
export async function calibrateStudy(studyDir: string, o: CalibrateStudyOptions = {}): Promise<CalibrationRecord> {
  const study = readStudy(studyDir);
  const settings = studySettings(studyDir, o);
  const cells = readStudyCells(study, settings.scenario!);
  const heldOut = cells.filter((c) => c.config === settings.heldOutConfig);
  if (heldOut.length === 0 || heldOut.length === cells.length) throw new UserError(`invalid ${displayPath(study.dir)}: the out-of-sample check needs cells of config ${settings.heldOutConfig} and of another config`);
  // Before the fit's minute of work: a read-only folder fails now, not at the end.
  if (o.write !== false) checkWritableFile(study.calibrationFile);
  const log = o.log ?? (() => undefined);
  const record = await calibrate(cells, settings, log);
  if (o.write !== false) writeCalibration(record, study.calibrationFile);
  return record;
}
