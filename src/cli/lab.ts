/**
 * modburst lab [--print-command] [any Jupyter option, e.g. --no-browser --port=8890]
 * (npm run lab -- ...)
 * Opens JupyterLab (the project's .venv/; the classic notebook only where no
 * JupyterLab exists) on notebooks/ with the project kernel,
 * and keeps dist/ rebuilt from src/ while it runs (re-run a notebook's import cell,
 * or restart its kernel, to pick up an edit).
 */
import { spawn } from "child_process";
import * as path from "path";
import { ensureSetup } from "../machine/setup";
import { jupyterEnv } from "../machine/jupyter";
import { findFrontEnd, labConfigEnv, labInstallHint } from "../machine/lab";
import { UserError } from "../core/errors";
import { paths } from "../core/paths";
import { makeRunTmp } from "../machine/runTmp";
import type { OptionTable } from "./args";

/** lab's own options (what `modburst lab --help` prints); every other option goes to Jupyter. */
export const labOptions: OptionTable = {
  "print-command": { type: "boolean", help: "print the front end's command line and exit" },
  "no-rebuild": { type: "boolean", help: "do not rebuild dist/ from src/ while Jupyter runs" },
};

const ownOptions = Object.keys(labOptions).map((o) => `--${o}`);

export async function labCommand(argv: string[]): Promise<number> {
  const printOnly = argv.includes("--print-command");
  // For a front end that must not see dist/ change under it (the UI test, where other tests run beside it).
  const rebuild = !argv.includes("--no-rebuild");
  const passThrough = argv.filter((a) => !ownOptions.includes(a));
  // A folder given as either spelling replaces notebooks/ (two root dirs are a Jupyter config error).
  const ownDir = passThrough.some((a) => a.startsWith("--notebook-dir") || a.startsWith("--ServerApp.root_dir"));
  // Setup first: on a fresh checkout it makes the venv that holds JupyterLab. Its
  // lines go to stderr, so that stdout is only the command with --print-command.
  ensureSetup(console.error);
  const found = findFrontEnd(process.env, paths.notebooks);
  if (!found) throw new UserError(labInstallHint, 3);
  // Jupyter refuses to run as root without --allow-root; containers often are root.
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0 ? ["--allow-root"] : [];
  const frontEnd = {
    ...found,
    args: [...(ownDir ? found.args.filter((a) => !a.startsWith("--notebook-dir")) : found.args), ...asRoot, ...passThrough],
  };
  // The project's setting defaults (no news question), beside the project kernel on JUPYTER_PATH.
  const env = labConfigEnv(jupyterEnv());
  if (printOnly) {
    console.log(`${frontEnd.name}: ${[frontEnd.command, ...frontEnd.args].join(" ")}`);
    console.log(`environment: JUPYTER_PATH=${env.JUPYTER_PATH} JUPYTER_CONFIG_PATH=${env.JUPYTER_CONFIG_PATH}`);
    return 0;
  }
  const tsc = rebuild
    ? spawn(process.execPath, [path.join(paths.root, "node_modules", "typescript", "bin", "tsc"), "-p", paths.root, "--watch", "--preserveWatchOutput"], {
        stdio: ["ignore", "ignore", "inherit"],
      })
    : null;
  // The kernels' browsers keep their temp folders in one folder, removed when JupyterLab stops.
  const runTmp = makeRunTmp("lab");
  process.once("exit", () => runTmp.remove());
  const lab = spawn(frontEnd.command, frontEnd.args, { stdio: "inherit", env: { ...env, ...runTmp.env }, cwd: paths.root });
  // SIGTERM: Jupyter's SIGINT handler asks for confirmation on a terminal.
  const stop = () => {
    tsc?.kill();
    lab.kill("SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return new Promise<number>((resolve) =>
    lab.on("close", (code) => {
      tsc?.kill();
      runTmp.remove();
      resolve(code ?? 0);
    }),
  );
}
