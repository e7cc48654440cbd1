/**
 * The calibration as a whole: the in-sample fit to all six cells, the
 * out-of-sample check (fit base + revert, predict my), a check on boots the fit
 * never saw, and the record written to data/calibration/params.json.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { Cell } from "../data/measured";
import { UserError } from "../errors";
import { writeFileAtomic } from "../fsutil";
import { defaultParams, Params, readParamsFile } from "../model/params";
import { paths, projectRoot } from "../paths";
import { FreeParam, freeParams } from "./bounds";
import { CellFit, fit, optimiser, simulateCells } from "./fit";

export interface CalibrationSettings {
  cpus: number;
  seed: number;
  boots: number;
  maxEvals: number;
  /** Boots after the fitted ones (boot numbers boots+1 ..) used to check the fit on unseen random numbers. */
  checkBoots: number;
}

export const defaultSettings: CalibrationSettings = { cpus: 288, seed: 1, boots: 5, maxEvals: 400, checkBoots: 20 };

export interface CalibrationRecord {
  description: string;
  params: Params;
  free: FreeParam[];
  fit: { cells: CellFit[]; objective: number; maxAbsErrorPct: number; evaluations: number; iterations: number; converged: boolean };
  unseenBoots: { boots: string; cells: CellFit[]; maxAbsErrorPct: number };
  outOfSample: {
    fittedOn: string[];
    params: Params;
    fitCells: CellFit[];
    predicted: CellFit[];
    maxAbsPredictionErrorPct: number;
    evaluations: number;
  };
  seeds: { seed: number; boots: number[]; scenario: string; cpus: number };
  optimiser: typeof optimiser & { maxEvals: number };
  code: { modburst: string; commit: string };
}

const maxAbs = (cells: CellFit[]) => Math.max(...cells.map((c) => Math.abs(c.errorPct)));

function codeVersion(): { modburst: string; commit: string } {
  const version = JSON.parse(fs.readFileSync(`${projectRoot}/package.json`, "utf8")).version as string;
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (dirty) commit += "+dirty-src";
  } catch {
    // not a git checkout: the package version alone identifies the code
  }
  return { modburst: version, commit };
}

/** Boots [from, to] of one seed: per-cell simulated means. */
function unseen(cells: Cell[], params: Params, s: CalibrationSettings): CellFit[] {
  // simulateRun numbers boots 1..n; a run of boots+checkBoots boots whose first `boots` are dropped would
  // repeat the fitted ones, so the check runs a different seed stream: seed + 1000003.
  return simulateCells(cells, params, { cpus: s.cpus, seed: s.seed + 1000003, boots: s.checkBoots });
}

export function calibrate(cells: Cell[], s: CalibrationSettings, log: (line: string) => void): CalibrationRecord {
  const start = defaultParams();
  const common = { start, free: freeParams, cpus: s.cpus, seed: s.seed, boots: s.boots, maxEvals: s.maxEvals, onProgress: log };

  log(`fit: ${freeParams.map((f) => f.name).join(", ")} to all ${cells.length} cells (${s.boots} boots each, seed ${s.seed})`);
  const all = fit({ ...common, cells });
  log(`fit: objective ${all.objective.toExponential(3)} after ${all.evals} evaluations; worst cell ${maxAbs(all.cells).toFixed(1)}%`);

  const inSample = cells.filter((c) => c.config !== "my");
  const heldOut = cells.filter((c) => c.config === "my");
  log(`out-of-sample: fit on base + revert (${inSample.length} cells), predict my`);
  const oos = fit({ ...common, cells: inSample });
  const predicted = simulateCells(heldOut, oos.params, s);
  log(`out-of-sample: prediction errors ${predicted.map((c) => `${c.module} ${c.errorPct.toFixed(1)}%`).join(", ")}`);

  log(`check: ${s.checkBoots} unseen boots with the fitted parameters`);
  const check = unseen(cells, all.params, s);

  return {
    description:
      "Calibrated parameters of the modburst model for the seed's 288-CPU machine. Written by `npm run calibrate`; read by every notebook and CLI.",
    params: all.params,
    free: freeParams,
    fit: { cells: all.cells, objective: all.objective, maxAbsErrorPct: maxAbs(all.cells), evaluations: all.evals, iterations: all.iterations, converged: all.converged },
    unseenBoots: { boots: `seed ${s.seed + 1000003}, boots 1-${s.checkBoots}`, cells: check, maxAbsErrorPct: maxAbs(check) },
    outOfSample: {
      fittedOn: ["base", "revert"],
      params: oos.params,
      fitCells: oos.cells,
      predicted,
      maxAbsPredictionErrorPct: maxAbs(predicted),
      evaluations: oos.evals,
    },
    seeds: { seed: s.seed, boots: Array.from({ length: s.boots }, (_, i) => i + 1), scenario: "seed", cpus: s.cpus },
    optimiser: { ...optimiser, maxEvals: s.maxEvals },
    code: codeVersion(),
  };
}

export function writeCalibration(record: CalibrationRecord, file = paths.calibratedParams): void {
  writeFileAtomic(file, JSON.stringify(record, null, 2) + "\n");
}

/** The stored calibration record (params and the fit report). */
export function readCalibration(file = paths.calibratedParams): CalibrationRecord {
  if (!fs.existsSync(file)) throw new UserError(`invalid calibration file: ${file} (allowed: run npm run calibrate first)`);
  readParamsFile(file); // validates every stored parameter
  return JSON.parse(fs.readFileSync(file, "utf8")) as CalibrationRecord;
}
