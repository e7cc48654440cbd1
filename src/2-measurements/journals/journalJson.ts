/**
 * `journalctl -b -u systemd-udevd -o json`: one JSON object per line. Fields
 * used (systemd.journal-fields(7)): `_BOOT_ID` splits boots (a boot id seen
 * again after another is refused: the same boot twice); the time is
 * `__MONOTONIC_TIMESTAMP` (microseconds since that boot's kernel start, immune to
 * the wall clock being set during boot) when the boot's first entry has it,
 * else `__REALTIME_TIMESTAMP`, both decimal strings (a bad value is named by
 * its field); `SYSLOG_IDENTIFIER` (else `_COMM`) tells udevd from other
 * processes; `MESSAGE` is a string, or an array of bytes when it is not valid
 * UTF-8 (decoded lossily here).
 */
import { UserError } from "../../core/errors";
import { isKernelStart, udevIdentifiers, unitEvent } from "./boots";
import { readLoadMessage, visible } from "./messages";
import type { LineParser, ParseContext } from "./parse";

type Clock = "__MONOTONIC_TIMESTAMP" | "__REALTIME_TIMESTAMP";

function messageOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Buffer.from(value).toString("utf8");
  return null; // null (journalctl's "too large" marker) or a field repeated: not one message
}

/** A clock field as journalctl prints it (decimal microseconds in a string, exact below 2^53), else why not. */
function clockValue(raw: unknown): number | string {
  if (typeof raw === "string" && /^\d+$/.test(raw)) {
    const us = Number(raw);
    return us <= Number.MAX_SAFE_INTEGER ? us : `"${visible(raw, 30)}" (past 2^53 microseconds, 285 years)`;
  }
  if (typeof raw === "number") return `${raw} (a JSON number, not a string)`;
  return raw === undefined ? "missing" : visible(JSON.stringify(raw), 40);
}

const allowedClock = "decimal microseconds in a string, in every entry of a boot, as journalctl -o json prints them";

export class JournalJsonParser implements LineParser {
  /** Boot ids of this file, with the line each first appeared on: one seen again after another is a repeat. */
  private readonly seenIds = new Map<string, number>();
  private currentKey: string | null = null;
  private clock: Clock | null = null;
  constructor(private readonly ctx: ParseContext) {}

  line(line: number, text: string): void {
    const { splitter } = this.ctx;
    if (text.trim() === "") return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(text);
    } catch {
      return this.ctx.problem(line, `not a JSON object: ${visible(text, 40)}`, "one journalctl -o json object per line");
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return this.ctx.problem(line, `not a JSON object: ${visible(text, 40)}`, "one journalctl -o json object per line");
    const identifier = typeof entry.SYSLOG_IDENTIFIER === "string" ? entry.SYSLOG_IDENTIFIER : entry._COMM;
    const message = messageOf(entry.MESSAGE);
    if (typeof identifier !== "string" || message === null) return;
    const bootId = typeof entry._BOOT_ID === "string" ? entry._BOOT_ID : null;
    const isUdev = udevIdentifiers.includes(identifier);
    if (!isUdev) {
      // Without boot ids, systemd's unit lines and the kernel's first line are boundaries, as in a text capture.
      if (bootId !== null) return;
      const us = clockValue(entry.__MONOTONIC_TIMESTAMP ?? entry.__REALTIME_TIMESTAMP);
      if (identifier === "kernel" && isKernelStart(message)) splitter.boundary();
      else if (identifier === "systemd" && entry._PID === "1" && typeof us === "number") {
        const event = unitEvent(message);
        if (event) splitter.unit(us, event);
      }
      return;
    }
    const key = bootId !== null ? `id:${bootId}` : "anonymous";
    if (key !== this.currentKey) {
      if (bootId !== null) {
        const first = this.seenIds.get(bootId);
        if (first !== undefined) {
          throw new UserError(
            `invalid ${this.ctx.file}:${line}: boot ${visible(bootId, 40)} again, after other boots since its line ${first}: the same boot given twice? (allowed each boot's entries once, together, as journalctl prints them)`,
          );
        }
        this.seenIds.set(bootId, line);
      }
      splitter.boundary(bootId);
      this.currentKey = key;
      this.clock = null;
    }
    const attempt = readLoadMessage(message);
    if (typeof attempt === "string") return this.ctx.problem(line, attempt, "the texts of src/2-measurements/journals/messages.ts, as udev logs them");
    // The clock is the boot's: the monotonic one when its first entry has that field at all, else the wall clock.
    const clock: Clock = this.clock ?? ("__MONOTONIC_TIMESTAMP" in entry ? "__MONOTONIC_TIMESTAMP" : "__REALTIME_TIMESTAMP");
    const us = clockValue(entry[clock]);
    if (typeof us === "string") {
      if (attempt) this.ctx.problem(line, `${clock} of a module load entry: ${us}`, allowedClock);
      return;
    }
    this.clock = clock;
    // With a boot id the clock cannot restart inside a boot; without one a monotonic clock that falls back is a new boot.
    splitter.udev(line, us, bootId !== null ? "refuse-repeat" : clock === "__MONOTONIC_TIMESTAMP" ? "new-boot" : "refuse-step", attempt);
  }
}
