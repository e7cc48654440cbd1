import { parseArgs } from "util";
import { UserError } from "../errors";

type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/**
 * util.parseArgs with user-facing errors: one line, exit 2. `--cpus -5` is read as
 * the value -5 (parseArgs alone calls it ambiguous) so the range check can name it.
 */
export interface ParsedCli {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCli(argv: string[], options: OptionSpec): ParsedCli {
  const normalized: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    const name = a.startsWith("--") ? a.slice(2) : "";
    if (name && options[name]?.type === "string" && next !== undefined && /^-\d|^-\./.test(next)) {
      normalized.push(`${a}=${next}`);
      i++;
    } else normalized.push(a);
  }
  try {
    const { values, positionals } = parseArgs({ args: normalized, options, allowPositionals: true, strict: true });
    return { values: values as ParsedCli["values"], positionals };
  } catch (err) {
    throw new UserError((err as Error).message.split("\n")[0].replace(/\. To specify.*$/, ""));
  }
}
