/**
 * `journalctl -b -u systemd-udevd -o short-precise` (and `-o short`,
 * `-o short-iso`, `-o short-iso-precise`): `Oct 15 10:01:02.123456 host
 * systemd-udevd[812]: message`, boots separated by `-- Boot <id> --`. Lines of
 * other processes (a capture without `-u`) are skipped.
 */
import { addUdevLine, isBootSeparator, logLineError, ParsedBoot, udevIdentifiers } from "./boots";
import type { LogLine } from "./lines";
import { mentionsAttempt } from "./messages";

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const identifier = new RegExp(` (${udevIdentifiers.map((i) => i.replace(/[()]/g, "\\$&")).join("|")})(?:\\[\\d+\\])?: `);
const halfYearUs = 183 * 86_400e6;

/**
 * Wall-clock time in microseconds, or null. short-precise prints no year: the
 * year starts at 2000 (a leap year, so Feb 29 parses) and steps up when the
 * clock falls back by more than half a year (a log across New Year). A local
 * DST change inside one boot is not corrected.
 */
export function parseWallClockUs(stamp: string, previousUs: number | null): number | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(stamp);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, zone] = iso;
    const base = dateUs(+y, +mo - 1, +d, +h, +mi, +s, frac);
    if (base === null) return null;
    const z = zone && zone !== "Z" ? /([+-])(\d{2}):?(\d{2})/.exec(zone) : null;
    return z ? base - (z[1] === "-" ? -1 : 1) * (+z[2] * 60 + +z[3]) * 60e6 : base;
  }
  const short = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(stamp);
  if (!short || !months.includes(short[1])) return null;
  const [, mon, d, h, mi, s, frac] = short;
  for (let year = 2000; year < 2100; year++) {
    const t = dateUs(year, months.indexOf(mon), +d, +h, +mi, +s, frac);
    if (t === null) return null;
    if (previousUs === null || t >= previousUs - halfYearUs) return t;
  }
  return null;
}

function dateUs(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined): number | null {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const ms = Date.UTC(y, mo, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d && s !== 60) return null; // Feb 30 and the like
  return ms * 1000 + Number((frac ?? "").padEnd(6, "0"));
}

export function parseJournalText(file: string, lines: LogLine[]): ParsedBoot[] {
  const boots: ParsedBoot[] = [];
  let current: ParsedBoot | null = null;
  let previousUs: number | null = null;
  for (const { line, text } of lines) {
    if (text.startsWith("-- ")) {
      if (isBootSeparator(text)) current = null;
      continue;
    }
    const id = identifier.exec(text);
    if (!id) continue; // another unit's line, or not an entry at all
    const head = text.slice(0, id.index); // "Oct 15 10:01:02.123456 host"
    const message = text.slice(id.index + id[0].length);
    const stamp = head.replace(/ \S+$/, "");
    const timeUs: number | null = stamp === head ? null : parseWallClockUs(stamp, previousUs);
    if (timeUs === null) {
      if (!mentionsAttempt(message)) continue;
      throw logLineError(file, line, `timestamp of a module load line: ${stamp || '""'}`, `"Oct 15 10:01:02.123456 host systemd-udevd[812]: ..." as journalctl -o short-precise prints it, or an ISO 8601 time as -o short-iso-precise does`);
    }
    previousUs = timeUs;
    const opened = current === null;
    current = addUdevLine(current, line, timeUs, message);
    if (opened) boots.push(current);
  }
  return boots;
}
