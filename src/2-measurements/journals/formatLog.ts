/**
 * Attempts written back out as each log format readLogs.ts accepts: synthetic
 * logs from simulated boots, and test fixtures. Pure: same attempts, same text.
 * measure(formatUdevLog(a, f)) gives `a` back (times to the microsecond), because
 * every boot opens with a systemd-udevd line at its time 0.
 */
import { invalid } from "../../core/errors";
import type { LoadAttempt } from "./attempts";
import { formatMessage } from "./messages";
import type { LogFormat } from "./readLogs";

/** What the formatter needs of an attempt; errnoText defaults to the errno's strerror text. */
export type AttemptToFormat = Omit<LoadAttempt, "errnoText"> & { errnoText?: string };

export interface FormatLogOptions {
  /** Host name in short-precise lines; default "host". */
  host?: string;
  /** Wall clock of boot 1's first udev line, ms since the epoch (UTC); default 2022-10-15 10:00:00, the seed's date. */
  startEpochMs?: number;
  /**
   * One line at the top saying where the log came from (synthetic logs say
   * SYNTHETIC), in the form each reader skips: a journalctl-style `-- note --`
   * line for short-precise and debug, an entry of another identifier
   * (`modburst`) for json. Default: none.
   */
  note?: string;
}

interface Line {
  timeUs: number;
  pid: number;
  message: string;
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const mainPid = 812;
// Where udevd starts on the monotonic clock: after the kernel and the initrd.
const udevStartUs = 3_000_000;
// Gap between one boot's last line and the next boot's first, on the wall clock.
const rebootGapUs = 3600e6;

const pad = (n: number, w: number) => String(n).padStart(w, "0");

function wallClock(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return `${months[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(us % 1e6, 6)}`;
}

/** printk's "[%5lu.%06lu]". */
function monotonic(us: number): string {
  return `[${String(Math.floor(us / 1e6)).padStart(5, " ")}.${pad(us % 1e6, 6)}]`;
}

const bootId = (boot: number) => `6d6f646275727374${pad(boot, 16)}`; // "modburst" in hex, then the boot number

/** The note as a line the format's reader skips (journalctl prints its own `-- Journal begins ... --` the same way). */
function noteLine(note: string, format: LogFormat, atUs: number): string {
  if (/[\r\n]/.test(note)) throw invalid("note", note, "one line");
  if (format !== "json") return `-- ${note} --`;
  // No boot id and no monotonic stamp: it belongs to no boot, and the json reader skips other identifiers.
  return JSON.stringify({ __REALTIME_TIMESTAMP: String(atUs), SYSLOG_IDENTIFIER: "modburst", MESSAGE: note });
}

export function formatUdevLog(attempts: readonly AttemptToFormat[], format: LogFormat, options: FormatLogOptions = {}): string {
  const boots = [...new Set(attempts.map((a) => a.boot))].sort((x, y) => x - y);
  const chunks = formatUdevLogChunks(
    boots.map((boot) => ({ boot, attempts: attempts.filter((a) => a.boot === boot) })),
    format,
    options,
  );
  return [...chunks].join("");
}

/** One boot's attempts, for formatUdevLogChunks. */
export interface BootAttempts {
  boot: number;
  attempts: readonly AttemptToFormat[];
}

/**
 * The same text as formatUdevLog, a boot at a time (the note line first): a
 * caller that simulates boots one by one writes each boot out before the next
 * is made, so a log of any length needs one boot's memory. Boots in ascending order.
 */
export function* formatUdevLogChunks(boots: Iterable<BootAttempts>, format: LogFormat, options: FormatLogOptions = {}): Generator<string> {
  const host = options.host ?? "host";
  let bootStartUs = (options.startEpochMs ?? Date.UTC(2022, 9, 15, 10, 0, 0)) * 1000;
  if (options.note !== undefined) yield noteLine(options.note, format, bootStartUs) + "\n";
  for (const { boot, attempts } of boots) {
    const out: string[] = [];
    const lines: Line[] = [{ timeUs: 0, pid: mainPid, message: "Using default interface naming scheme 'v252'." }];
    const perModule = new Map<string, number>();
    const own = [...attempts].sort((x, y) => x.timeSeconds - y.timeSeconds);
    own.forEach((a, i) => {
      if (!(a.timeSeconds >= 0)) throw invalid("timeSeconds", a.timeSeconds, ">= 0: seconds since the boot's first udev line");
      const k = perModule.get(a.module) ?? 0;
      perModule.set(a.module, k + 1);
      const message = formatMessage(a);
      // Only udevd's debug log gets the device prefix ("cpu0: ") that device-bound lines carry.
      lines.push({ timeUs: Math.round(a.timeSeconds * 1e6), pid: 900 + (i % 64), message: format === "debug" ? `cpu${k}: ${message}` : message });
    });
    if (format === "short-precise") {
      out.push(`-- Boot ${bootId(boot)} --`);
      for (const l of lines) out.push(`${wallClock(bootStartUs + l.timeUs)} ${host} systemd-udevd[${l.pid}]: ${l.message}`);
    } else if (format === "json") {
      for (const l of lines) {
        out.push(JSON.stringify({
          __REALTIME_TIMESTAMP: String(bootStartUs + l.timeUs),
          __MONOTONIC_TIMESTAMP: String(udevStartUs + l.timeUs),
          _BOOT_ID: bootId(boot),
          PRIORITY: "7",
          SYSLOG_IDENTIFIER: "systemd-udevd",
          _PID: String(l.pid),
          _COMM: "systemd-udevd",
          MESSAGE: l.message,
        }));
      }
    } else {
      // The kernel's first console line at 0 restarts the clock: that is how a console log shows a new boot.
      out.push(`${monotonic(0)} Linux version 6.0.0-rc3 (modburst synthetic log)`);
      for (const l of lines) out.push(`${monotonic(udevStartUs + l.timeUs)} systemd-udevd[${l.pid}]: ${l.message}`);
    }
    bootStartUs += lines[lines.length - 1].timeUs + rebootGapUs;
    yield out.map((l) => l + "\n").join("");
  }
}
