/**
 * modburst setup [--user | --remove-user]   (npm run setup -- ..., bash environment/setup.sh ...)
 * See src/machine/setup.ts. --user also registers the kernel in the user's Jupyter data
 * directory (for one's own JupyterLab or VS Code); --remove-user only undoes that.
 */
import * as path from "path";
import { jupyterDataDir, pythonCandidates, registerUserKernel, removeUserKernel } from "../machine/jupyter";
import { setup } from "../machine/setup";
import { invalid, UserError } from "../core/errors";
import { userKernelName } from "../core/paths";
import type { OptionTable } from "./args";

/** setup's options: what parseSetupArgs accepts and what `modburst setup --help` prints. */
export const setupOptions: OptionTable = {
  user: { type: "boolean", help: `also register the kernel as ${userKernelName} for your own JupyterLab or VS Code` },
  "remove-user": { type: "boolean", help: "only remove that registration" },
  slurm: { type: "boolean", help: "only install Slurm (slurmctld, slurmd, slurm-client, munge) as root, or say what to install: for sweep --slurm and npm run test:slurm" },
};

const flags = Object.keys(setupOptions).map((o) => `--${o}`);
type Flag = "--user" | "--remove-user" | "--slurm";

/** At most one of the flags; anything else is a one-line error, exit 2. */
export function parseSetupArgs(argv: string[]): Flag | null {
  for (const a of argv) if (!(flags as readonly string[]).includes(a)) throw invalid("setup option", a, flags.join("|"));
  if (argv.length > 1) throw invalid("setup options", argv.join(" "), `one of ${flags.join("|")}`);
  return (argv[0] as Flag | undefined) ?? null;
}

function userDataDir(first: string[]): string {
  const dir = jupyterDataDir([...new Set([...first, ...pythonCandidates()])]);
  if (!dir) throw new UserError("no python with jupyter_core to ask for the Jupyter data directory: run npm run setup first", 3);
  return dir;
}

export function setupCommand(argv: string[]): number {
  const flag = parseSetupArgs(argv);
  if (flag === "--slurm") {
    (require("../machine/slurmPackages") as typeof import("../machine/slurmPackages")).setupSlurm();
    return 0;
  }
  if (flag === "--remove-user") {
    const dir = userDataDir([]);
    const removed = removeUserKernel(dir);
    console.log(`setup: kernel ${userKernelName} ${removed ? "removed from" : "was not registered in"} ${path.join(dir, "kernels")}`);
    return 0;
  }
  const state = setup();
  if (flag === "--user") {
    const { file, written } = registerUserKernel(userDataDir([state.python]));
    console.log(`setup: kernel ${userKernelName} ("TypeScript (modburst)") ${written ? "registered" : "already registered"} at ${file}; undo: npm run setup -- --remove-user`);
  }
  return 0;
}
