/**
 * SYNTHETIC udev logs written by the model: simulated boots (every request
 * kept, `log: true`) turned into the per-attempt events a real udevd would have
 * logged, then into a log file by formatUdevLog (a boot at a time: see
 * synthesizeLogChunks). `modburst measure` reads them
 * back like any machine's log, so measure and calibrate can be checked against
 * parameters that are known exactly. Pure: the same options give the same text.
 */
import { simulateBoot, BootResult } from "../../1-model/boot";
import type { Params } from "../../1-model/params";
import type { Scenario } from "../../1-model/scenario";
import type { Request } from "../../1-model/types";
import { pushAll } from "../../core/arrays";
import type { AttemptToFormat, BootAttempts } from "./formatLog";
import { formatUdevLogChunks } from "./formatLog";
import type { LogFormat } from "./readLogs";

export interface SynthesizeOptions {
  scenario: Scenario;
  /** A registered policy name (the kernel the boots ran). */
  policy: string;
  params: Params;
  /** With the boot number, fixes every random draw (the model's own seeding). */
  seed: number;
  /** Boots 1..boots of that seed, one after the other in the journal. */
  boots: number;
}

/**
 * What udev's kmod builtin logs for one request: `skipped` (initstate live, no
 * finit_module) is "already loaded"; -EBUSY and a failing init's errno are
 * "Failed to insert module"; 0 and -EEXIST (kmod turns it into success) are
 * "Inserted module". The time is when udev logged it: the request's end.
 */
export function attemptOf(r: Request, boot: number): AttemptToFormat {
  const timeSeconds = r.endUs / 1e6;
  switch (r.outcome) {
    case "skipped":
      return { boot, timeSeconds, module: r.module, outcome: "already-loaded", errno: "" };
    case "inserted":
      return { boot, timeSeconds, module: r.module, outcome: "inserted", errno: "" };
    case "ebusy":
      return { boot, timeSeconds, module: r.module, outcome: "failed", errno: "EBUSY" };
    case "failed":
      return { boot, timeSeconds, module: r.module, outcome: "failed", errno: String(r.result) };
    default:
      throw new Error(`request ${r.id} of ${r.module} never ended`);
  }
}

/**
 * One simulated boot's attempts, in the order udev logged them (ties: request
 * order). A request whose worker udevd killed at its event timeout (large
 * machines under `base`) logged nothing, so it has no attempt.
 */
export function attemptsOfBoot(result: BootResult): AttemptToFormat[] {
  if (!result.requests) throw new Error("attemptsOfBoot needs a boot simulated with log: true");
  return result.requests
    .filter((r) => r.outcome !== "killed")
    .sort((a, b) => a.endUs - b.endUs || a.id - b.id)
    .map((r) => attemptOf(r, result.boot));
}

/** Boots 1..N of the seed under the policy, one at a time: each boot's attempts, simulated only when asked for. */
export function* synthesizeBoots(o: SynthesizeOptions): Generator<BootAttempts> {
  for (let boot = 1; boot <= o.boots; boot++) {
    // One boot at a time: a log: true boot keeps every request's segments, so never hold many.
    yield { boot, attempts: attemptsOfBoot(simulateBoot({ policy: o.policy, scenario: o.scenario, params: o.params, seed: o.seed, boot, log: true })) };
  }
}

/** Boots 1..N of the seed under the policy, as udev's per-attempt events (times in seconds since the first uevent). */
export function synthesizeAttempts(o: SynthesizeOptions): AttemptToFormat[] {
  const out: AttemptToFormat[] = [];
  for (const b of synthesizeBoots(o)) pushAll(out, b.attempts);
  return out;
}

/** The note at the top of every synthetic log, so no reader takes it for a machine's. */
export function synthesizeNote(o: SynthesizeOptions): string {
  return `SYNTHETIC udev log written by modburst synthesize-logs (the model, not a machine): scenario ${o.scenario.name}, policy ${o.policy}, seed ${o.seed}, boots 1..${o.boots}`;
}

/** The synthetic log a boot at a time (see formatUdevLogChunks): what the CLI streams to its output. */
export function synthesizeLogChunks(o: SynthesizeOptions & { format: LogFormat }): Generator<string> {
  return formatUdevLogChunks(synthesizeBoots(o), o.format, { note: synthesizeNote(o) });
}

/** The whole synthetic log in one of the formats `modburst measure` reads. */
export function synthesizeLog(o: SynthesizeOptions & { format: LogFormat }): string {
  return [...synthesizeLogChunks(o)].join("");
}
