/**
 * Where one boot ends and the next begins in a log, whatever its format. Every
 * parser feeds its lines to a BootSplitter, which opens and closes boots in the
 * run's collector (readLogs.ts). Times stay integer microseconds of the log's
 * own clock until the collector makes them relative.
 *
 * A boot ends at (README "Boots"):
 * - journalctl's `-- Boot <id> --` (older `-- Reboot --`) line;
 * - a journalctl `-- ... --` note after the file's first udevd entry: the
 *   header at the top of every capture (`-- Journal begins at ... --`, `-- Logs
 *   begin at ... --`), so captures joined with `cat` stay apart (one capture
 *   with -b is one boot; a capture of several boots has `-- Boot` lines);
 * - the kernel's first line, `Linux version ...` (a full capture, a console);
 * - a new `_BOOT_ID` (json);
 * - systemd starting udevd's unit while the current boot's udevd is running
 *   (a `journalctl -u systemd-udevd` capture starts with that line). After a
 *   stop of the unit, a start within `maxHandoverSeconds` continues the boot:
 *   the initrd's udevd hands over to the root file system's that way, and so
 *   does `systemctl restart`. udevd's own "Starting version ..." line is not a
 *   boundary: initramfs-tools starts a daemon udevd that prints it, in the same
 *   boot as the unit that follows;
 * - a monotonic clock (debug logs, json without boot ids) falling back by more
 *   than `clockToleranceSeconds`: the kernel restarted it.
 * A wall clock (short-precise) that falls back by more than that with none of
 * the above is refused: a clock step inside a boot (NTP) and two boots joined
 * without their header look the same, and splitting or not would be a guess.
 */
import { UserError } from "../../core/errors";
import type { ParsedMessage } from "./messages";
import { visible } from "./messages";

/**
 * The process names udevd logs under: `systemd-udevd`; its workers rename
 * themselves `(udev-worker)` from systemd v254 on, which journalctl prints as
 * the identifier; `udevd` in builds that install it under that name.
 */
export const udevIdentifiers: readonly string[] = ["systemd-udevd", "(udev-worker)", "udevd"];

/**
 * Lines of one boot out of time order by up to this much are one boot:
 * journalctl prints a message's source time, which concurrent udev workers
 * take microseconds to milliseconds out of order; printk stamps of several CPUs
 * likewise. A clock step smaller than this inside a burst goes unnoticed.
 */
export const clockToleranceSeconds = 1;

/** A stop of udevd's unit followed by a start within this many seconds is one boot (initrd to root file system, a restart); a reboot takes longer. */
export const maxHandoverSeconds = 30;

/** `invalid FILE:LINE: rule (allowed ...)`, exit 2. */
export function logLineError(file: string, line: number, rule: string, allowed: string): UserError {
  return new UserError(`invalid ${file}:${line}: ${rule} (allowed ${allowed})`);
}

/** journalctl's boot separators (`-- Boot 0123abcd... --`, older `-- Reboot --`); other `-- ... --` lines are notes. */
export function isBootSeparator(text: string): boolean {
  return /^-- (?:Boot [0-9a-f]{32}|Reboot) --$/.test(text.trim());
}

/** The boot id of a `-- Boot <id> --` line, else null. */
export function separatorBootId(text: string): string | null {
  return /^-- Boot ([0-9a-f]{32}) --$/.exec(text.trim())?.[1] ?? null;
}

/** journalctl's notes: the capture header, `-- No entries --`, a synthetic log's note (`-x` catalog lines start with "-- " but do not end with " --"). */
export function isJournalNote(text: string): boolean {
  return /^-- .+ --$/.test(text.trim());
}

// systemd's own lines about udevd's unit, which `journalctl -u systemd-udevd` includes: the unit's name (v253 on prints it first) or its description, old and new.
const udevUnit = "(?:systemd-udevd\\.service|Rule-based Manager for Device Events and Files|udev Kernel Device Manager)";
const unitStart = new RegExp(`^Starting ${udevUnit}`);
const unitStop = new RegExp(`^(?:Stopping|Stopped) ${udevUnit}|^systemd-udevd\\.service: (?:Deactivated successfully|Succeeded|Main process exited)`);

/** What a message of systemd (PID 1) says about udevd's unit: started, stopped, or nothing. */
export function unitEvent(message: string): "start" | "stop" | null {
  if (unitStart.test(message)) return "start";
  if (unitStop.test(message)) return "stop";
  return null;
}

/** The kernel's first line of a boot (`Linux version 6.0.0 ...`), as printk and the journal show it. */
export function isKernelStart(message: string): boolean {
  return /^Linux version \S/.test(message);
}

/**
 * What a clock that falls back means: a monotonic clock restarted (a new
 * boot), a wall clock stepped or two captures met (refused), or the entries of
 * a boot known by its id repeat (refused).
 */
export type FallBack = "new-boot" | "refuse-step" | "refuse-repeat";

/** What the splitter drives: the run's collector of boots and attempts (readLogs.ts). */
export interface BootSink {
  open(file: string, firstLine: number, timeUs: number, id: string | null, wallClock: boolean): void;
  /** A udevd line of the open boot: moves its origin. */
  udevTime(timeUs: number): void;
  attempt(line: number, timeUs: number, m: ParsedMessage): void;
  close(): void;
}

export class BootSplitter {
  private open = false;
  private maxUs = -Infinity;
  private maxLine = 0;
  private stoppedAtUs: number | null = null;
  private fileHasEntries = false;
  /** The id the next boot opens with (a `-- Boot <id> --` line, a json _BOOT_ID). */
  private nextId: string | null = null;
  private currentId: string | null = null;

  constructor(private readonly file: string, private readonly sink: BootSink) {}

  /** Ends the current boot; the next one opens at the next udevd line, with `id` when known. */
  boundary(id: string | null = null): void {
    if (this.open) this.sink.close();
    this.open = false;
    this.maxUs = -Infinity;
    this.stoppedAtUs = null;
    this.nextId = id;
  }

  /** A `-- ... --` line: a boot separator, or a note, which ends the boot when it follows an entry (a capture's header). */
  note(text: string): void {
    if (isBootSeparator(text)) this.boundary(separatorBootId(text));
    else if (this.fileHasEntries && isJournalNote(text)) this.boundary();
  }

  /** systemd starting or stopping udevd's unit. */
  unit(timeUs: number, event: "start" | "stop"): void {
    if (event === "stop") {
      if (this.open) this.stoppedAtUs = timeUs;
      return;
    }
    const handover = this.stoppedAtUs !== null && timeUs >= this.stoppedAtUs && timeUs - this.stoppedAtUs <= maxHandoverSeconds * 1e6;
    if (this.open && !handover) this.boundary();
    this.stoppedAtUs = null;
  }

  /** A udevd line at `timeUs`, reporting `attempt` or none. */
  udev(line: number, timeUs: number, fallBack: FallBack, attempt: ParsedMessage | null): void {
    this.fileHasEntries = true;
    if (this.open && timeUs < this.maxUs - clockToleranceSeconds * 1e6) {
      const back = `${((this.maxUs - timeUs) / 1e6).toFixed(6)} s`;
      if (fallBack === "new-boot") this.boundary();
      else if (fallBack === "refuse-repeat") {
        throw logLineError(this.file, line, `the clock falls back ${back} from line ${this.maxLine} inside boot ${this.nextIdShown()}: the same entries twice (a capture given twice?)`, "each entry once, in the order journalctl prints them");
      } else {
        throw logLineError(
          this.file,
          line,
          `the wall clock falls back ${back} from line ${this.maxLine} with no boot boundary between: a clock step inside a boot, or two captures joined without their headers`,
          `a log whose clock does not fall back within a boot: a "-- Boot <id> --" or "-- Journal begins at ... --" line between boots, or a capture with -o short-monotonic or -o json, whose clocks never step`,
        );
      }
    }
    if (!this.open) {
      this.currentId = this.nextId;
      this.sink.open(this.file, line, timeUs, this.currentId, fallBack === "refuse-step");
      this.open = true;
    }
    this.sink.udevTime(timeUs);
    if (timeUs > this.maxUs) {
      this.maxUs = timeUs;
      this.maxLine = line;
    }
    if (attempt) this.sink.attempt(line, timeUs, attempt);
  }

  private nextIdShown(): string {
    return this.currentId === null ? "(no id)" : visible(this.currentId, 40);
  }

  end(): void {
    this.boundary();
  }
}
