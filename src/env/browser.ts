/** Finding the Chromium that renders figures. Never downloads a browser. */
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../errors";

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
