/** Finding the Chromium that renders figures. Never downloads a browser. */
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../core/errors";

/** Names a browser executable to use instead of the Debian package. */
export const browserEnvVar = "MODBURST_CHROMIUM";

/**
 * Flags for a headless Chromium on a machine with no network: the background
 * networking flags stop it from calling home (which fails, noisily, here).
 */
export const chromiumArgs: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

export const installHint =
  `no Chromium for figure export: install the Debian package (apt-get install chromium) ` +
  `or set ${browserEnvVar}=/path/to/chrome`;

/** The browser to use, or null. An explicit but wrong MODBURST_CHROMIUM is an error, not a fallback. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const named = env[browserEnvVar];
  if (named !== undefined && named !== "") {
    if (!isExecutable(named)) throw new UserError(`invalid ${browserEnvVar}: ${named} (allowed: path to an executable Chromium or Chrome)`);
    return named;
  }
  for (const name of candidates) {
    const found = which(name, env.PATH ?? "");
    if (found) return found;
  }
  return null;
}

export function requireChromium(env: NodeJS.ProcessEnv = process.env): string {
  const found = findChromium(env);
  if (!found) throw new UserError(installHint, 3);
  return found;
}

export function which(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return null;
}

export function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** What to do about a browser that fails: the same remedy as a missing one. */
const remedy = `install the Debian package (apt-get install chromium) or set ${browserEnvVar}=/path/to/chrome`;

/** Playwright's words for a browser that went away under it. */
const goneWords = /Target page, context or browser has been closed|Browser has been closed|browser has disconnected|Target closed|crashed|WebSocket error|ECONNREFUSED|socket hang up/i;

/**
 * A failure of the browser itself as one line saying what to install or set
 * (UserError, exit 3, as for no browser at all), instead of Playwright's
 * ~70-line launch log and a stack. `stage` "start": Chromium would not start
 * (or connect); its exit status and the last line it wrote are quoted.
 * "render": it exited while rendering (killed, out of memory, crashed). Any
 * other error (a figure plotly rejects: a bug) is returned unchanged.
 */
export function browserFailure(err: unknown, stage: "start" | "render", executable?: string): unknown {
  if (err instanceof UserError || !(err instanceof Error)) return err;
  // Playwright's call log is dimmed with terminal colour codes.
  const text = err.message.replace(/\x1b\[[0-9;]*m/g, "");
  if (stage === "render" && !goneWords.test(text)) return err;
  if (stage === "start" && !/^(browserType|browser|page|browserContext)\.\w+:/.test(text) && !goneWords.test(text)) return err;
  const exit = /<process did exit: exitCode=(\w+), signal=(\w+)>/.exec(text);
  const status = exit ? (exit[2] !== "null" ? `killed by ${exit[2]}` : `exit ${exit[1]}`) : null;
  const which = executable ? `Chromium (${executable})` : "Chromium";
  if (stage === "render") return new UserError(`${which} exited while rendering a figure (${status ?? "killed or crashed"}): run the command again; if it fails again, ${remedy}`, 3);
  const said = browserSaid(text);
  const detail = [status, said ? JSON.stringify(said.length > 120 ? said.slice(0, 117) + "..." : said) : null].filter((x) => x !== null).join(": ");
  return new UserError(`${which} did not start${detail ? ` (${detail})` : ""}: ${remedy}`, 3);
}

/**
 * What the browser itself said on stderr before it failed, from Playwright's
 * launch log: its last line that is not one of Chromium's own log lines
 * (`[pid:tid:date:ERROR:dbus/...]`, noise on most machines), else its last FATAL
 * line; null when it said nothing useful.
 */
function browserSaid(text: string): string | null {
  const lines = [...text.matchAll(/\[pid=\d+\]\[err\] (.+)/g)].map((m) => m[1].trim()).filter((l) => l !== "");
  const chromiumLog = /^\[\d+:\d+:\d+\/[\d.]+:([A-Z]+):/;
  const own = lines.filter((l) => !chromiumLog.test(l));
  if (own.length > 0) return own[own.length - 1];
  const fatal = lines.filter((l) => chromiumLog.exec(l)?.[1] === "FATAL");
  return fatal.length > 0 ? fatal[fatal.length - 1] : null;
}
