/**
 * What each log parser produces for one file: its boots, each with the clock
 * reading of its first systemd-udevd line and the attempts logged in it. Times
 * stay integer microseconds of the log's own clock until readLogs.ts makes them
 * relative.
 */
import { UserError } from "../errors";
import type { AttemptOutcome } from "./attempts";
import { parseMessage } from "./messages";

export interface ParsedAttempt {
  /** Line in the file, for error messages and a stable order. */
  line: number;
  timeUs: number;
  module: string;
  outcome: AttemptOutcome;
  errno: string;
  errnoText: string;
}

export interface ParsedBoot {
  /** The file's line of the boot's first systemd-udevd line (notes name it). */
  firstLine: number;
  /** Earliest clock reading of the boot's systemd-udevd lines, microseconds; the origin of its times. */
  originUs: number;
  attempts: ParsedAttempt[];
}

/**
 * The process names udevd logs under: `systemd-udevd`; its workers rename
 * themselves `(udev-worker)` from systemd v254 on, which journalctl prints as
 * the identifier; `udevd` in builds that install it under that name.
 */
export const udevIdentifiers: readonly string[] = ["systemd-udevd", "(udev-worker)", "udevd"];

/** Add one systemd-udevd line to a boot (opened by the caller): it moves the origin, and if it reports an attempt, adds it. */
export function addUdevLine(boot: ParsedBoot | null, line: number, timeUs: number, message: string): ParsedBoot {
  const b = boot ?? { firstLine: line, originUs: timeUs, attempts: [] };
  b.originUs = Math.min(b.originUs, timeUs);
  const m = parseMessage(message);
  if (m) b.attempts.push({ line, timeUs, ...m });
  return b;
}

/** `invalid FILE:LINE: rule (allowed ...)`, exit 2. */
export function logLineError(file: string, line: number, rule: string, allowed: string): UserError {
  return new UserError(`invalid ${file}:${line}: ${rule} (allowed ${allowed})`);
}

/** journalctl's boot separators (`-- Boot 0123abcd... --`, older `-- Reboot --`); other `-- ... --` lines are notes. */
export function isBootSeparator(text: string): boolean {
  return /^-- (?:Boot [0-9a-f]{32}|Reboot) --$/.test(text.trim());
}
