/**
 * udevd's debug log with the kernel's monotonic stamp: what the console or
 * `dmesg` shows when udevd logs to /dev/kmsg (udev.log_level=debug on the kernel
 * command line, before journald runs), and `journalctl -o short-monotonic`:
 *
 *   [   12.345678] systemd-udevd[812]: cpu0: Inserted module 'acpi_cpufreq'
 *   [   12.345678] host systemd-udevd[812]: ...            (short-monotonic)
 *   [   12.345678] cpu0: Inserted module 'acpi_cpufreq'     (no identifier)
 *
 * The stamp is seconds since the kernel started, so a stamp lower than the one
 * before starts a new boot (a console log kept across reboots), as do
 * journalctl's `-- Boot ... --` lines. Lines of other processes are skipped;
 * kernel lines without an identifier still move the clock.
 */
import { addUdevLine, isBootSeparator, logLineError, ParsedBoot, udevIdentifiers } from "./boots";
import type { LogLine } from "./lines";
import { mentionsAttempt } from "./messages";

const stamped = /^\[\s*(\d+)\.(\d{1,9})\]\s?(.*)$/;
// `ident[pid]: ` first, then `host ident[pid]: `: tried in that order, so a message containing "x[1]: " is not taken for the identifier.
const withIdentifier = [/^([^\s[\]]+)\[\d+\]: (.*)$/, /^\S+ ([^\s[\]]+)\[\d+\]: (.*)$/];

/** `[   12.345678]` as integer microseconds (digits past the sixth are dropped). */
export function monotonicUs(seconds: string, fraction: string): number {
  return Number(seconds) * 1e6 + Number(fraction.slice(0, 6).padEnd(6, "0"));
}

export function parseDebugLog(file: string, lines: LogLine[]): ParsedBoot[] {
  const boots: ParsedBoot[] = [];
  let current: ParsedBoot | null = null;
  let previousUs = -1;
  for (const { line, text } of lines) {
    if (text.startsWith("-- ")) {
      if (isBootSeparator(text)) current = null;
      continue;
    }
    const m = stamped.exec(text);
    if (!m) {
      if (mentionsAttempt(text)) throw logLineError(file, line, `a module load line without a monotonic stamp: ${text.slice(0, 60)}`, `"[   12.345678] systemd-udevd[812]: ..." as the kernel console and journalctl -o short-monotonic print it`);
      continue;
    }
    const timeUs = monotonicUs(m[1], m[2]);
    if (timeUs < previousUs) current = null; // the clock restarted: a new boot
    previousUs = timeUs;
    const rest = m[3];
    const id = withIdentifier[0].exec(rest) ?? withIdentifier[1].exec(rest);
    let message: string;
    if (id) {
      if (!udevIdentifiers.includes(id[1])) continue; // another process
      message = id[2];
    } else if (mentionsAttempt(rest)) {
      message = rest; // udevd's own stderr with stamps added: no identifier
    } else continue; // the kernel's own lines
    const opened = current === null;
    current = addUdevLine(current, line, timeUs, message);
    if (opened) boots.push(current);
  }
  return boots;
}
