/**
 * One temp folder per run for the browsers it starts. playwright makes a profile
 * and an artifacts folder under os.tmpdir() for every launch and removes them only
 * when that browser is closed in order; a browser that dies with its process (a
 * kernel shut down hard, `kill -9` on reproduce) left them in /tmp for good. With
 * TMPDIR pointed at one folder per run, for the run itself and every process it
 * starts, the run removes that folder when it ends, however the browsers ended.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Names the run's temp folder to the processes it starts (the notebook executor removes it when orphaned). */
export const runTmpEnv = "MODBURST_RUN_TMP";

export interface RunTmp {
  dir: string;
  /** The environment for the run's child processes. */
  env: Record<string, string>;
  /** Remove the folder and everything in it; safe to call twice. */
  remove(): void;
}

export function makeRunTmp(prefix: string): RunTmp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `modburst-${prefix}-`));
  let removed = false;
  return {
    dir,
    env: { TMPDIR: dir, [runTmpEnv]: dir },
    remove() {
      if (removed) return;
      removed = true;
      // A browser still exiting may write its profile while it goes: retry instead of leaving half a folder.
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/**
 * Run `use` with this process's TMPDIR pointed at the run's folder (os.tmpdir()
 * reads it on every call, so a browser this process launches inside puts its
 * folders there), and put it back afterwards.
 */
export async function withProcessTmp<T>(run: RunTmp, use: () => Promise<T>): Promise<T> {
  const before = process.env.TMPDIR;
  process.env.TMPDIR = run.dir;
  try {
    return await use();
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  }
}
