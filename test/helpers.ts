import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../src/core/paths";
import { loadStudy, seedStudyName, studyCells } from "../src/4-studies/study";

export const root = projectRoot;

/** Run a built CLI (dist/) the way a user does; never throws. */
export function runNode(script: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [path.join(root, script), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...opts.env },
    timeout: opts.timeoutMs ?? 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A scratch folder one level below the checkout, so notebooks copied there import
 * `../dist/index` exactly as they do from notebooks/.
 */
export function scratchDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(root, ".test-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface NotebookJson {
  cells: Array<{ cell_type: string; source: string | string[]; outputs?: Array<Record<string, any>> }>;
}

export function readNotebook(file: string): NotebookJson {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

export function joined(text: string | string[] | undefined): string {
  return Array.isArray(text) ? text.join("") : text ?? "";
}

/** A temporary folder outside the checkout, removed after the test. */
export function tmpDir(t: { after(fn: () => void): void }, prefix = "modburst-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the tiny fixture study (test/fixtures/studies/tiny/) in a scratch folder, with study.json edited by `edit`. */
export function studyFixtureCopy(t: { after(fn: () => void): void }, edit?: (j: Record<string, unknown>) => void): string {
  const dir = path.join(tmpDir(t), "tiny");
  fs.cpSync(path.join(root, "test", "fixtures", "studies", "tiny"), dir, { recursive: true });
  if (edit) {
    const file = path.join(dir, "study.json");
    const j = JSON.parse(fs.readFileSync(file, "utf8"));
    edit(j);
    fs.writeFileSync(file, JSON.stringify(j));
  }
  return dir;
}

/** The tiny fixture with a short calibration (one free parameter, few boots), cheap enough to calibrate in a test. */
export function tinyCalibrationCopy(t: { after(fn: () => void): void }): string {
  const dir = studyFixtureCopy(t);
  fs.writeFileSync(
    path.join(dir, "calibrate.json"),
    JSON.stringify({
      free: [{ name: "rcuGpExtraMs", lo: 0, hi: 60, start: 40, why: "the base span" }],
      boots: { base: 3, merge: 3 },
      checkBoots: { base: 6, merge: 6 },
      refitEvals: 1,
      maxIterations: 4,
    }),
  );
  return dir;
}

/** The seed study's measured cells (what the seed's calibration is fitted to). */
export function seedCells() {
  return studyCells(loadStudy(seedStudyName));
}
