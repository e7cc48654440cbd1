/**
 * `journalctl -b -u systemd-udevd -o short-precise` (and `-o short`,
 * `-o short-iso`, `-o short-iso-precise`): `Oct 15 10:01:02.123456 host
 * systemd-udevd[812]: message`, boots separated by `-- Boot <id> --`. Lines of
 * other processes (a capture without `-u`) are skipped.
 */
import { isKernelStart, udevIdentifiers, unitEvent } from "./boots";
import { mentionsAttempt, readLoadMessage, visible } from "./messages";
import type { LineParser, ParseContext } from "./parse";

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
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
  const us = ms * 1000 + Number((frac ?? "").padEnd(6, "0"));
  // Microseconds stay exact integers up to 2^53 (the year 2255).
  return us >= 0 && us <= Number.MAX_SAFE_INTEGER ? us : null;
}

// The process a journal line is of: the first `name[pid]: ` or `name: ` after the time and host.
const entryOf = / ([^\s[\]:]+)(?:\[(\d+)\])?: /;
// A name journald would print: no control character, no undecodable byte.
const readableName = /^[^\u0000-\u001f\u007f\ufffd]+$/;

const allowedStamp = `"Oct 15 10:01:02.123456 host systemd-udevd[812]: ..." as journalctl -o short-precise prints it, or an ISO 8601 time as -o short-iso-precise does`;

/** One line of a short-precise capture at a time: udevd's lines to the splitter, systemd's unit lines and the kernel's first line as boundaries. */
export class JournalTextParser implements LineParser {
  private previousUs: number | null = null;
  constructor(private readonly ctx: ParseContext) {}

  line(line: number, text: string): void {
    const { splitter } = this.ctx;
    if (text.startsWith("-- ")) {
      splitter.note(text);
      return;
    }
    const id = entryOf.exec(text);
    if (!id || !readableName.test(id[1])) {
      // A load line must be udevd's to count, and one of no readable process cannot be told apart.
      if (mentionsAttempt(text)) this.ctx.problem(line, `a module load line without a readable process name: ${visible(text)}`, allowedStamp);
      return;
    }
    const name = id[1];
    const head = text.slice(0, id.index); // "Oct 15 10:01:02.123456 host"
    const message = text.slice(id.index + id[0].length);
    const isUdev = udevIdentifiers.includes(name);
    // Another process's line is skipped, even when it mentions a load (systemd-modules-load's, systemd's own).
    if (!isUdev && !(name === "systemd" && id[2] === "1") && name !== "kernel") return;
    const stamp = head.replace(/ \S+$/, "");
    const timeUs: number | null = stamp === head ? null : parseWallClockUs(stamp, this.previousUs);
    if (!isUdev) {
      if (timeUs === null) return;
      if (name === "kernel") {
        if (isKernelStart(message)) splitter.boundary();
      } else {
        const event = unitEvent(message);
        if (event) splitter.unit(timeUs, event);
      }
      return;
    }
    const attempt = readLoadMessage(message);
    if (typeof attempt === "string") return this.ctx.problem(line, attempt, "the texts of src/2-measurements/journals/messages.ts, as udev logs them");
    if (timeUs === null) {
      if (attempt) this.ctx.problem(line, `timestamp of a module load line: ${visible(stamp) || '""'}`, allowedStamp);
      return;
    }
    this.previousUs = timeUs;
    splitter.udev(line, timeUs, "refuse-step", attempt);
  }
}
