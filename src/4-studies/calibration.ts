/**
 * A study's calibration record (data/studies/NAME/calibration.json): read it, or
 * make it: fit the study's cells on its own scenario with the settings of
 * studySettings.ts (its calibrate.json, or the short calibration), and write it.
 */
import * as fs from "fs";
import * as path from "path";
import { displayPath } from "../core/paths";
import { UserError } from "../core/errors";
import { checkWritableFile } from "../core/fsutil";
import { loadStudy, Study } from "./study";
import { calibrate, CalibrationRecord, CalibrationSettings, readCalibration, writeCalibration } from "../3-experiments/calibrate/calibration";
import type { FitCell } from "../3-experiments/calibrate/fit";
import { studyFitCells, studySettings } from "./settings";
import { variantFits } from "../3-experiments/calibrate/variants";

export const hasCalibration = (s: Study): boolean => fs.existsSync(s.files.calibration);

/** The study's calibration record, checked whole; a missing one says how to make it. */
export function studyCalibration(s: Study | string): CalibrationRecord {
  const study = typeof s === "string" ? loadStudy(s) : s;
  if (!hasCalibration(study)) {
    throw new UserError(`invalid calibration file: ${displayPath(study.files.calibration)} (allowed: run modburst calibrate --study ${study.name}, or modburst reproduce --study ${study.name}, which calibrates first)`);
  }
  const reference = readCalibration(study.files.calibration);
  const variants = variantFits(reference, study.files.calibration, readCalibration);
  return variants.length > 1 ? { ...reference, variants } : reference;
}

export interface CalibrateStudyOptions {
  /** Override the fit seed and the number of bootstrap refits. */
  seed?: number;
  refits?: number;
  /** Full refits instead of linearised ones (calibrate --bootstrap N --full). */
  fullRefits?: boolean;
  log?: (line: string) => void;
  /** Write the record (default true), to `out` (default the study's calibration file). */
  write?: boolean;
  out?: string;
  /**
   * Called with the cells and settings once they are checked, before the fit:
   * the command's estimate and limit (it throws to refuse) and its progress
   * lines (it returns the settings to run with).
   */
  beforeFit?: (cells: FitCell[], settings: CalibrationSettings) => CalibrationSettings;
}

/** Fit the study and (by default) write its calibration record atomically; the record. */
export async function calibrateStudy(study: Study, o: CalibrateStudyOptions = {}): Promise<CalibrationRecord> {
  const out = o.out ?? study.files.calibration;
  let settings: CalibrationSettings = { ...studySettings(study, o), fullRefits: o.fullRefits === true };
  // A full bootstrap written beside the study's calibration (to compare with its linearised refits) starts
  // its fit from that record's values: the same minimum, found in a few iterations instead of dozens.
  if (o.fullRefits === true && path.resolve(out) !== path.resolve(study.files.calibration) && hasCalibration(study) && o.seed === undefined) {
    settings.start = readCalibration(study.files.calibration).params;
  }
  const cells = studyFitCells(study, settings);
  // Before the fit's work: a read-only folder or a bad --out fails now, not at the end.
  if (o.write !== false) checkWritableFile(out);
  if (o.beforeFit) settings = o.beforeFit(cells, settings);
  const record = await calibrate(cells, settings, o.log ?? (() => undefined));
  if (o.write !== false) writeCalibration(record, out);
  return record;
}

/** The study's full bootstrap record (full-bootstrap.json beside its calibration), or null when it has none. */
export function studyFullBootstrap(s: Study | string): CalibrationRecord | null {
  const study = typeof s === "string" ? loadStudy(s) : s;
  const file = fullBootstrapFile(study.files.calibration);
  return fs.existsSync(file) ? readCalibration(file) : null;
}

/** Where `calibrate --bootstrap N --full` for a study's check is kept: full-bootstrap.json beside its calibration. */
export const fullBootstrapFile = (calibrationFile: string): string => path.join(path.dirname(calibrationFile), "full-bootstrap.json");
