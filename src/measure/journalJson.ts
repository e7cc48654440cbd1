/**
 * `journalctl -b -u systemd-udevd -o json`: one JSON object per line. Fields
 * used (systemd.journal-fields(7)): `_BOOT_ID` splits boots; the time is
 * `__MONOTONIC_TIMESTAMP` (microseconds since that boot's kernel start, immune to
 * the wall clock being set during boot), else `__REALTIME_TIMESTAMP`, both
 * decimal strings; `SYSLOG_IDENTIFIER` (else `_COMM`) tells udevd from other
 * processes; `MESSAGE` is a string, or an array of bytes when it is not valid
 * UTF-8 (decoded lossily here).
 */
import { addUdevLine, logLineError, ParsedBoot, udevIdentifiers } from "./boots";
import type { LogLine } from "./lines";
import { mentionsAttempt } from "./messages";

type Clock = "__MONOTONIC_TIMESTAMP" | "__REALTIME_TIMESTAMP";

function messageOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Buffer.from(value).toString("utf8");
  return null; // null (journalctl's "too large" marker) or a field repeated: not one message
}

export function parseJournalJson(file: string, lines: LogLine[]): ParsedBoot[] {
  const boots = new Map<string, { boot: ParsedBoot; clock: Clock }>();
  const order: ParsedBoot[] = [];
  let anonymous = 0;
  let previousMonotonic = -1;
  for (const { line, text } of lines) {
    if (text.trim() === "") continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(text);
    } catch {
      throw logLineError(file, line, `not a JSON object: ${text.slice(0, 40)}`, "one journalctl -o json object per line");
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw logLineError(file, line, `not a JSON object: ${text.slice(0, 40)}`, "one journalctl -o json object per line");
    const identifier = typeof entry.SYSLOG_IDENTIFIER === "string" ? entry.SYSLOG_IDENTIFIER : entry._COMM;
    const message = messageOf(entry.MESSAGE);
    const monotonic = typeof entry.__MONOTONIC_TIMESTAMP === "string" && /^\d+$/.test(entry.__MONOTONIC_TIMESTAMP) ? Number(entry.__MONOTONIC_TIMESTAMP) : null;
    // Without boot ids (a hand-made or filtered export), a monotonic clock that falls back starts a new boot.
    if (typeof entry._BOOT_ID !== "string" && monotonic !== null && monotonic < previousMonotonic) anonymous++;
    if (monotonic !== null) previousMonotonic = monotonic;
    if (typeof identifier !== "string" || !udevIdentifiers.includes(identifier) || message === null) continue;
    const key = typeof entry._BOOT_ID === "string" ? `id:${entry._BOOT_ID}` : `anonymous:${anonymous}`;
    const known = boots.get(key);
    const clock: Clock = known?.clock ?? (monotonic !== null ? "__MONOTONIC_TIMESTAMP" : "__REALTIME_TIMESTAMP");
    const raw = entry[clock];
    if (typeof raw !== "string" || !/^\d+$/.test(raw)) {
      if (!mentionsAttempt(message)) continue;
      throw logLineError(file, line, `${clock} of a module load entry: ${JSON.stringify(raw ?? null)}`, `decimal microseconds in a string, in every entry of a boot, as journalctl -o json prints them`);
    }
    const boot = addUdevLine(known?.boot ?? null, line, Number(raw), message);
    if (!known) {
      boots.set(key, { boot, clock });
      order.push(boot);
    }
  }
  return order;
}
