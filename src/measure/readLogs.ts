/**
 * Every LOG argument to one list of attempts: each file is read (size-capped),
 * its format recognised, its boots parsed; boots are numbered 1..N across the
 * files in the order given. Only boots with at least one load line get a number
 * (a boot whose udevd logged no module loads cannot be measured).
 */
import { UserError } from "../errors";
import { readFileCapped } from "../fsutil";
import type { LoadAttempt } from "./attempts";
import type { ParsedBoot } from "./boots";
import { parseDebugLog } from "./debugLog";
import { parseJournalJson } from "./journalJson";
import { parseJournalText } from "./journalText";
import { LogLine, splitLines } from "./lines";

export const logFormats = ["short-precise", "json", "debug"] as const;
export type LogFormat = (typeof logFormats)[number];

/** A udev debug log of a boot with thousands of CPUs runs to tens of MB; this leaves room while staying under V8's longest string. */
export const maxLogFileBytes = 256 << 20;

/** The format of a file from its first entry (journalctl's `-- ... --` lines and blank lines skipped). */
export function detectFormat(lines: LogLine[]): LogFormat {
  const first = lines.find((l) => l.text.trim() !== "" && !l.text.startsWith("-- "));
  if (first?.text.trimStart().startsWith("{")) return "json";
  if (first && /^\[\s*\d+\.\d+\]/.test(first.text)) return "debug";
  return "short-precise";
}

const parsers: Record<LogFormat, (file: string, lines: LogLine[]) => ParsedBoot[]> = {
  "short-precise": parseJournalText,
  json: parseJournalJson,
  debug: parseDebugLog,
};

export interface ReadLogsResult {
  attempts: LoadAttempt[];
  boots: number;
  /** Per file: its format and how many boots it gave. */
  files: Array<{ file: string; format: LogFormat; boots: number }>;
}

/** Parse the logs; `note` gets one line per thing left out (a cut last line, a boot without load lines). */
export function readUdevLogs(files: string[], note: (line: string) => void): ReadLogsResult {
  const attempts: LoadAttempt[] = [];
  const summary: ReadLogsResult["files"] = [];
  let boot = 0;
  for (const file of files) {
    const text = readFileCapped(file, maxLogFileBytes, (p) =>
      p.kind === "unreadable"
        ? new UserError(`invalid log file: ${file}: ${p.detail} (allowed: a readable file)`)
        : new UserError(`invalid log file: ${file}: ${p.detail} (allowed: a regular file of at most ${maxLogFileBytes} bytes)`),
    );
    const { lines, cutLine } = splitLines(text);
    if (cutLine) note(`${file}:${cutLine.line}: the last line has no newline (cut off?); ignored`);
    const format = detectFormat(lines);
    const parsed = parsers[format](file, lines);
    const measurable = parsed.filter((b) => b.attempts.length > 0);
    if (measurable.length === 0) {
      throw new UserError(
        `invalid ${file}: no module load lines (allowed a systemd-udevd log with "Inserted module", "Module ... is already loaded" or "Failed to insert module" lines; they are debug messages: boot with udev.log_level=debug)`,
      );
    }
    for (const b of parsed) {
      if (b.attempts.length === 0) {
        note(`${file}:${b.firstLine}: a boot with systemd-udevd lines but no module load lines; not numbered`);
        continue;
      }
      boot++;
      for (const a of b.attempts) {
        attempts.push({ boot, timeSeconds: (a.timeUs - b.originUs) / 1e6, module: a.module, outcome: a.outcome, errno: a.errno, errnoText: a.errnoText });
      }
    }
    summary.push({ file, format, boots: measurable.length });
  }
  // Journal output is in time order already; a console capture from several writers may not be quite.
  attempts.sort((a, b) => a.boot - b.boot || a.timeSeconds - b.timeSeconds);
  return { attempts, boots: boot, files: summary };
}
