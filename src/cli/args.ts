import { parseArgs } from "util";
import { UserError } from "../core/errors";

/**
 * One option of a command: what the parser needs (type, multiple) and what
 * `--help` prints (value, help). A command passes the same table to parseCli and
 * to its help, so the options a command accepts and the ones it documents are
 * one list.
 */
export interface OptionDef {
  type: "string" | "boolean";
  multiple?: boolean;
  /** The value's placeholder in help (`N`, `FILE.csv`); none for a boolean flag. */
  value?: string;
  /** One line: what the option does, its default. */
  help: string;
  /** The next argument is the value even when it starts with "-" (sweep's --slurm-args "--partition=p"). */
  dashValue?: boolean;
}

export type OptionTable = Record<string, OptionDef>;

/** A command's options, one line each: `  --cpus N          CPU count ...`. */
export function formatOptions(options: OptionTable): string[] {
  const left = Object.entries(options).map(([name, o]) => `--${name}${o.value ? ` ${o.value}` : ""}`);
  const width = Math.max(0, ...left.map((l) => l.length));
  return Object.values(options).map((o, i) => `  ${left[i].padEnd(width)}  ${o.help}`);
}

/**
 * util.parseArgs with user-facing errors: one line, exit 2. `--cpus -5` is read as
 * the value -5 (parseArgs alone calls it ambiguous) so the range check can name it.
 * A flag given twice is an error (never the last one silently winning), and so is
 * a positional argument, unless the command takes them (`positionals: true`).
 */
export interface ParsedCli {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /**
   * With `laterRepeats`: throws if a flag was given twice. The command calls it
   * once it has checked the values, so that a bad value is named first.
   */
  rejectRepeats: () => void;
}

export interface ParseCliOptions {
  /** The command takes positional arguments (reproduce's prefixes, merge-results' files). */
  positionals?: boolean;
  /** Leave the check for flags given twice to rejectRepeats(), after the values are checked. */
  laterRepeats?: boolean;
}

/** Flags renamed in earlier versions, named in the error so an old command line is easy to fix. */
const renamed: Record<string, string> = { seeds: "boots" };

export function parseCli(argv: string[], options: OptionTable, opts: ParseCliOptions = {}): ParsedCli {
  const normalized: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    const name = a.startsWith("--") ? a.slice(2) : "";
    if (name && options[name]?.type === "string" && next !== undefined && (/^-\d|^-\./.test(next) || options[name]?.dashValue === true)) {
      normalized.push(`${a}=${next}`);
      i++;
    } else normalized.push(a);
  }
  // An unknown flag names the allowed ones, as every other error does (parseArgs would say only "Unknown option").
  for (const a of normalized) {
    if (a === "--") break;
    const m = /^--([^=]+)/.exec(a);
    if (m && !(m[1] in options)) throw new UserError(`invalid option: --${m[1]} (allowed ${Object.keys(options).map((o) => `--${o}`).join("|") || "none"}${renamed[m[1]] ? `; --${m[1]} is now --${renamed[m[1]]}` : ""})`);
  }
  let parsed;
  try {
    // util.parseArgs takes only its own keys of each option.
    const config = Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.multiple ? { multiple: true } : {}) }]));
    parsed = parseArgs({ args: normalized, options: config, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UserError((err as Error).message.split("\n")[0].replace(/\. To specify.*$/, ""));
  }
  if (!opts.positionals && parsed.positionals.length > 0) {
    throw new UserError(`invalid argument: ${parsed.positionals[0] === "" ? '""' : parsed.positionals[0]} (allowed none: this command takes only --options)`);
  }
  const tokens = parsed.tokens ?? [];
  const rejectRepeats = () => {
    const seen = new Set<string>();
    for (const t of tokens) {
      if (t.kind !== "option" || options[t.name]?.multiple) continue;
      if (seen.has(t.name)) throw new UserError(`invalid --${t.name}: given twice (allowed once)`);
      seen.add(t.name);
    }
  };
  if (!opts.laterRepeats) rejectRepeats();
  return { values: parsed.values as ParsedCli["values"], positionals: parsed.positionals, rejectRepeats };
}
