/**
 * A calibration's estimate, limit and progress lines, as sweep and simulate
 * have them (budget.ts): `calibrate` and `reproduce` (which calibrates a study
 * without a record) estimate the run from its settings before any fit
 * (calibrate/estimate.ts), refuse it past --max-hours or the machine's memory
 * in one line, and print a progress line on stderr at every tenth of the boots
 * counted, or after a minute without one.
 */
import type { CalibrationSettings } from "../3-experiments/calibrate/calibration";
import { estimateCalibration } from "../3-experiments/calibrate/estimate";
import type { FitCell } from "../3-experiments/calibrate/fit";
import { defaultThreads, poolThreads } from "../3-experiments/parallel/pool";
import { enforceBudget, formatDuration } from "./budget";

/**
 * calibrate's default --max-hours (sweep's and simulate's is 1): the seed's own
 * calibration takes ~13 min on this 2-core machine at load average ~3, ~1.5 h
 * at load 12 (other work running), and its estimate, which counts every fit at
 * its iteration limit, says 21-35 min at load 3 and an hour and more once the
 * machine is busy. A 1 h default would
 * refuse the kit's own `npm run calibrate` on a busy machine; 6 h still refuses
 * at once what the limit is for: a calibrate.json of 1e6 boots (thousands of hours).
 */
export const calibrateDefaultMaxHours = 6;

/** Seconds without a progress line before one is printed anyway (a run of many boots takes minutes). */
const quietSeconds = 60;

/**
 * Estimate and check the calibration of `cells` with `s` (UserError, exit 2,
 * when it does not fit), print the estimate, and return the settings with
 * progress lines attached. `what` names the run (`calibrate: study NAME`);
 * `remedy` says what makes it smaller.
 */
export function budgetCalibration(what: string, cells: FitCell[], s: CalibrationSettings, maxHours: number, remedy: string): CalibrationSettings {
  const cores = defaultThreads();
  const e = estimateCalibration(cells, s, cores);
  const policies = [...new Set(cells.map((c) => c.policy))];
  const perRun = policies.reduce((n, p) => n + (s.boots[p] ?? 0), 0);
  const threads = poolThreads(perRun, cores);
  const head = `${what}: at most ${e.runs.fit + e.runs.check} model runs of ${perRun} boots, ${s.refits}${s.fullRefits ? " full" : ""} refits, on ${threads} thread${threads === 1 ? "" : "s"}`;
  enforceBudget(head, e, { maxHours }, { time: remedy, memory: remedy });
  return { ...s, onBoots: progressLines(what.replace(/:.*$/, ""), e.boots) };
}

/** `calibrate: 12000 of at most 90600 boots (13%), 40 s`: at each new tenth, or after a quiet minute. */
function progressLines(label: string, total: number, stream: NodeJS.WritableStream = process.stderr): (boots: number) => void {
  const started = Date.now();
  let done = 0;
  let lastTenth = 0;
  let lastLine = started;
  return (boots) => {
    done += boots;
    const now = Date.now();
    const tenth = Math.min(10, Math.floor((done / Math.max(1, total)) * 10));
    if (tenth === lastTenth && now - lastLine < quietSeconds * 1000) return;
    lastTenth = tenth;
    lastLine = now;
    const pct = Math.min(100, Math.floor((done / Math.max(1, total)) * 100));
    stream.write(`${label}: ${done} of at most ${total} boots (${pct}%), ${formatDuration((now - started) / 1000)}\n`);
  };
}
