/**
 * A study's calibration record (data/studies/NAME/calibration.json): read it,
 * or, for a study that has none yet, run the short calibration of
 * `shortSettings` on the study's own scenario and configurations and write it.
 */
import * as fs from "fs";
import { displayPath } from "../data/csv";
import { UserError } from "../errors";
import { loadStudy, Study, studyCells, studyScenario } from "../studies/study";
import { calibrate, CalibrationRecord, readCalibration, shortSettings, writeCalibration } from "./calibration";

export const hasCalibration = (s: Study): boolean => fs.existsSync(s.files.calibration);

/** The study's calibration record, checked whole; a missing one says how to make it. */
export function studyCalibration(s: Study | string): CalibrationRecord {
  const study = typeof s === "string" ? loadStudy(s) : s;
  if (!hasCalibration(study)) {
    throw new UserError(`invalid calibration file: ${displayPath(study.files.calibration)} (allowed: run modburst reproduce --study ${study.name}, which calibrates first)`);
  }
  return readCalibration(study.files.calibration);
}

/** The short calibration of a study (src/calibrate/calibration.ts shortSettings), written atomically to its calibration file. */
export async function calibrateStudyShort(s: Study, log: (line: string) => void): Promise<CalibrationRecord> {
  const cells = studyCells(s);
  const settings = shortSettings(studyScenario(s), [...new Set(cells.map((c) => c.policy))]);
  settings.description =
    `Calibrated parameters of the modburst model for study ${s.name} (${s.title}), fitted to the expected span of each cell ` +
    `with the short calibration modburst reproduce --study runs when a study has none: the seed's free parameters and bounds, ` +
    `${JSON.stringify(settings.boots)} boots per policy, at most ${settings.maxIterations} iterations, ${settings.refits} bootstrap refits of at most ${settings.refitEvals} runs.`;
  const record = await calibrate(cells, settings, log);
  writeCalibration(record, s.files.calibration);
  return record;
}
