/**
 * The kmod builtin's per-module messages: recognise them in a log line, and write
 * them for synthetic logs. Texts from the sources, by era of systemd. The version
 * ranges are approximate: the stored sources read here (module-util.c at commit
 * 0f32a668 and an older LGPL-2.1+ copy; udev-builtin-kmod.c at 2dfe5a30 and
 * 01833372) are not mapped to release tags, so check a tag before quoting one.
 *
 * - newer systemd, ~v245 on (src/shared/module-util.c, module_load_and_warn(), called
 *   by src/udev/udev-builtin-kmod.c with verbose=false, so every line below is
 *   LOG_DEBUG: it reaches the journal only with udev.log_level=debug or
 *   `udevadm control --log-level=debug`):
 *     "Inserted module '%s'"
 *     "Module '%s' is already loaded"           (initstate live: no finit_module)
 *     "Failed to insert module '%s': %m"        (%m: strerror(-err))
 *     "Module '%s' is builtin" / "is built in", "is blacklisted" / "is deny-listed
 *     (by kmod|by kernel)": no load attempted, ignored here.
 * - older systemd, ~v219..v244 (src/udev/udev-builtin-kmod.c, load_module(), log_debug):
 *     "Inserted '%s'", "Failed to insert '%s'" (no errno text); "already loaded"
 *     was never logged, since kmod reports a loaded module as success.
 * - kmod (libkmod/libkmod-module.c, kmod_module_probe_insert_module(), ~v30 on):
 *   without KMOD_PROBE_FAIL_ON_LOADED, which udev does not pass, -EEXIST from the
 *   kernel becomes 0, so a failing init returning -EEXIST is logged as "Inserted
 *   module"; -EBUSY (a same-name load going away) is logged as a failure.
 *
 * udevd's device-bound lines (log_device_*()) start with the device's sysname,
 * e.g. "mmc1:0001:2: Processing device" (systemd issue #15078, v245);
 * module_load_and_warn() logs without one in the versions read, but a prefix is
 * accepted so that captures where the worker's context adds it still match.
 */
import type { AttemptOutcome } from "./attempts";

export interface ParsedMessage {
  module: string;
  outcome: AttemptOutcome;
  errno: string;
  errnoText: string;
}

/** glibc strerror texts of the errnos a module load can return (asm-generic/errno*.h names). */
export const errnoTexts: Record<string, string> = {
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  EINTR: "Interrupted system call",
  EIO: "Input/output error",
  ENXIO: "No such device or address",
  ENOEXEC: "Exec format error",
  EAGAIN: "Resource temporarily unavailable",
  ENOMEM: "Cannot allocate memory",
  EACCES: "Permission denied",
  EFAULT: "Bad address",
  EBUSY: "Device or resource busy",
  EEXIST: "File exists",
  ENODEV: "No such device",
  EINVAL: "Invalid argument",
  ENOSPC: "No space left on device",
  ENOSYS: "Function not implemented",
  ENODATA: "No data available",
  ETIME: "Timer expired",
  EBADMSG: "Bad message",
  EOVERFLOW: "Value too large for defined data type",
  EOPNOTSUPP: "Operation not supported",
  ETIMEDOUT: "Connection timed out",
  ENOKEY: "Required key not available",
  EKEYREJECTED: "Key was rejected by service",
};

const errnoByText = new Map(Object.entries(errnoTexts).map(([name, text]) => [text, name]));

// A module name as kmod prints it: no quote, no whitespace.
const name = "([^'\\s]+)";
// Optional device prefix ("cpu0: "), then the message at the end of the line.
const patterns: Array<{ re: RegExp; outcome: AttemptOutcome }> = [
  { re: new RegExp(`(?:^|: )Inserted module '${name}'$`), outcome: "inserted" },
  { re: new RegExp(`(?:^|: )Module '${name}' is already loaded$`), outcome: "already-loaded" },
  { re: new RegExp(`(?:^|: )Failed to insert module '${name}': (.+)$`), outcome: "failed" },
  // systemd v219..v244.
  { re: new RegExp(`(?:^|: )Inserted '${name}'$`), outcome: "inserted" },
  { re: new RegExp(`(?:^|: )Failed to insert '${name}'()$`), outcome: "failed" },
];

/** The attempt a message reports, or null when it reports none. */
export function parseMessage(message: string): ParsedMessage | null {
  for (const { re, outcome } of patterns) {
    const m = re.exec(message);
    if (!m) continue;
    const errnoText = outcome === "failed" ? m[2].trim() : "";
    return { module: m[1], outcome, errno: errnoByText.get(errnoText) ?? "", errnoText };
  }
  return null;
}

/**
 * Cheap test for a line that looks like one of these messages, whatever else is
 * broken about it: such a line must parse, or the log is rejected.
 */
export function mentionsAttempt(line: string): boolean {
  return /Inserted (?:module )?'|Module '[^']*' is already loaded|Failed to insert (?:module )?'/.test(line);
}

/** The systemd v245..v256 text of an attempt (the format the tests and synthetic logs use). */
export function formatMessage(a: { module: string; outcome: AttemptOutcome; errno: string; errnoText?: string }): string {
  switch (a.outcome) {
    case "inserted":
      return `Inserted module '${a.module}'`;
    case "already-loaded":
      return `Module '${a.module}' is already loaded`;
    case "failed":
      return `Failed to insert module '${a.module}': ${a.errnoText || errnoTexts[a.errno] || `Unknown error ${a.errno}`}`;
  }
}
