/**
 * udevd's debug log with the kernel's monotonic stamp: what the console or
 * `dmesg` shows when udevd logs to /dev/kmsg (udev.log_level=debug on the kernel
 * command line, before journald runs), and `journalctl -o short-monotonic`:
 *
 *   [   12.345678] systemd-udevd[812]: cpu0: Inserted module 'acpi_cpufreq'
 *   [   12.345678] host systemd-udevd[812]: ...            (short-monotonic)
 *   [   12.345678] cpu0: Inserted module 'acpi_cpufreq'     (no identifier)
 *
 * The stamp is seconds since the kernel started, so a udevd stamp lower than
 * the one before (by more than boots.ts's tolerance) starts a new boot (a
 * console log kept across reboots), as do the kernel's `Linux version` line and
 * journalctl's `-- Boot ... --` lines. Lines of other processes are skipped.
 */
import { isKernelStart, udevIdentifiers, unitEvent } from "./boots";
import { mentionsAttempt, readLoadMessage, visible } from "./messages";
import type { LineParser, ParseContext } from "./parse";

const stamped = /^\[\s*(\d+)\.(\d{1,9})\]\s?(.*)$/;
// `ident[pid]: ` first, then `host ident[pid]: `: tried in that order, so a message containing "x[1]: " is not taken for the identifier.
const withIdentifier = [/^([^\s[\]]+)\[(\d+)\]: (.*)$/, /^\S+ ([^\s[\]]+)\[(\d+)\]: (.*)$/];

/** `[   12.345678]` as integer microseconds (digits past the sixth are dropped); null past 2^53 us (285 years), where they stop being exact. */
export function monotonicUs(seconds: string, fraction: string): number | null {
  const us = Number(seconds) * 1e6 + Number(fraction.slice(0, 6).padEnd(6, "0"));
  return us <= Number.MAX_SAFE_INTEGER ? us : null;
}

const allowedStamp = `"[   12.345678] systemd-udevd[812]: ..." as the kernel console and journalctl -o short-monotonic print it`;

export class DebugLogParser implements LineParser {
  constructor(private readonly ctx: ParseContext) {}

  line(line: number, text: string): void {
    const { splitter } = this.ctx;
    if (text.startsWith("-- ")) {
      splitter.note(text);
      return;
    }
    const m = stamped.exec(text);
    if (!m) {
      if (mentionsAttempt(text)) this.ctx.problem(line, `a module load line without a monotonic stamp: ${visible(text)}`, allowedStamp);
      return;
    }
    const timeUs = monotonicUs(m[1], m[2]);
    const rest = m[3];
    const id = withIdentifier[0].exec(rest) ?? withIdentifier[1].exec(rest);
    let message: string;
    if (id) {
      if (id[1] === "systemd" && id[2] === "1") {
        const event = unitEvent(id[3]);
        if (event && timeUs !== null) splitter.unit(timeUs, event);
        return;
      }
      if (!udevIdentifiers.includes(id[1])) return; // another process
      message = id[3];
    } else if (mentionsAttempt(rest)) {
      message = rest; // udevd's own stderr with stamps added: no identifier
    } else {
      // The kernel's own lines: its first one starts a boot (`host kernel: ` in -o short-monotonic).
      if (isKernelStart(rest.replace(/^\S+ kernel: /, ""))) splitter.boundary();
      return;
    }
    const attempt = readLoadMessage(message);
    if (typeof attempt === "string") return this.ctx.problem(line, attempt, "the texts of src/2-measurements/journals/messages.ts, as udev logs them");
    if (timeUs === null) {
      if (attempt) this.ctx.problem(line, `a monotonic stamp past 2^53 microseconds: [${visible(m[1], 30)}.${m[2]}]`, allowedStamp);
      return;
    }
    // The stamp is seconds since the kernel started: one lower than before (beyond the tolerance) is a new boot.
    splitter.udev(line, timeUs, "new-boot", attempt);
  }
}
