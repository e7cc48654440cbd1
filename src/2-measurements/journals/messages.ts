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

/** The errno name of a strerror text (`Device or resource busy` -> `EBUSY`), "" for an unknown text or none. */
export function errnoOf(errnoText: string): string {
  return errnoByText.get(errnoText) ?? "";
}

// A module name as kmod prints it: no quote, no whitespace (readLoadMessage checks the rest).
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
 * broken about it: such a line must parse, or it is refused (readLoadMessage).
 */
export function mentionsAttempt(line: string): boolean {
  return /Inserted (?:module )?'|Module '[^']*' is already loaded|Failed to insert (?:module )?'/.test(line);
}

/**
 * The longest module name accepted: NAME_MAX, since kmod prints the name of a
 * module file (normalised, without .ko); the kernel's own limit
 * (MODULE_NAME_LEN - 1, 55) is lower. Longer text between the quotes is not a
 * module name (a 10 MB one is refused, not written to the CSV).
 */
export const maxModuleNameChars = 255;

// C0 controls, DEL, and U+FEFF: never in a module name or strerror text udev prints.
const control = /[\u0000-\u001f\u007f\ufeff]/;

/**
 * A user's text quoted in a one-line message: control characters, a
 * byte-order mark and other invisible characters escaped as JSON does (a NUL
 * shows as \u0000), and cut to `max` characters with "..." after.
 */
export function visible(text: string, max = 60): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return text.length > max ? `${escaped}...` : escaped;
}

/**
 * A message that mentions a module load, read strictly: the attempt, or what is
 * wrong with it (one phrase for `invalid FILE:LINE: ...`). null: the message
 * mentions no load. Trailing spaces and tabs are ignored (a copy from a
 * terminal pads lines; udev never ends a message with one, and they cannot
 * change what the line says); every other deviation from the texts above is
 * refused, since a line that looks like a load but is read as none would
 * silently change a span.
 */
export function readLoadMessage(message: string): ParsedMessage | string | null {
  if (!mentionsAttempt(message)) return null;
  const nul = message.indexOf("\u0000");
  if (nul >= 0) return `a NUL byte in a module load message (character ${nul + 1}): ${visible(message)}`;
  const text = message.replace(/[ \t]+$/, "");
  const m = parseMessage(text);
  if (m) {
    if (m.module.length > maxModuleNameChars) return `a module name of ${m.module.length} characters (at most ${maxModuleNameChars}: a module file's name)`;
    if (control.test(m.module)) return `a control character in the module name: '${visible(m.module)}'`;
    if (m.outcome === "failed" && m.errnoText === "" && /:\s*$/.test(text)) return `no errno text after the colon: ${visible(text)}`;
    if (control.test(m.errnoText)) return `a control character in the errno text: ${visible(m.errnoText)}`;
    return m;
  }
  const quoted = /'([^']*)'/.exec(text);
  if (quoted && quoted[1] === "") return `an empty module name: ${visible(text)}`;
  if (quoted && /\s/.test(quoted[1])) return `a module name with a space: '${visible(quoted[1])}'`;
  if (/Failed to insert module '[^']*':\s*$/.test(text)) return `no errno text after the colon: ${visible(text)}`;
  if (/Failed to insert module '[^']*'$/.test(text)) return `no errno text (systemd v245 on prints "Failed to insert module 'X': <errno text>"): ${visible(text)}`;
  return `not a module load message udev writes: ${visible(text)}`;
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
