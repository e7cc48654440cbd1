/**
 * The `modburst` command: every command is registered here, once. The npm scripts
 * (`npm run reproduce`, ...) are aliases of `node bin/modburst.js <command>`.
 */
import { UserError } from "../errors";
import { runMain } from "./runMain";
import * as usage from "./usage";

export interface Command {
  run: (argv: string[]) => number | Promise<number>;
  usage: string;
  /** One line for `modburst help`. */
  description: string;
  /** Every argument goes to the command, --help included (lab passes them to Jupyter). */
  passThrough?: boolean;
}

// Each command module is loaded when its command runs, so `modburst simulate` never loads the browser or Jupyter code.
export const commands: Record<string, Command> = {
  simulate: { run: (a) => (require("./simulate") as typeof import("./simulate")).simulateCommand(a), usage: usage.simulateUsage, description: "simulate boots of a scenario under each policy; a table or JSON" },
  sweep: { run: (a) => (require("./sweep") as typeof import("./sweep")).sweepCommand(a), usage: usage.sweepUsage, description: "simulate a grid (policy x CPUs x init latency) on all cores into a CSV" },
  "merge-results": { run: (a) => (require("./sweep") as typeof import("./sweep")).mergeCommand(a), usage: usage.mergeUsage, description: "merge sweep shards into one CSV, identical to the unsharded run" },
  reproduce: { run: (a) => (require("./reproduce") as typeof import("./reproduce")).reproduceCommand(a), usage: usage.reproduceUsage, description: "set the machine up if needed, then execute every notebook in order" },
  lab: { run: (a) => (require("./lab") as typeof import("./lab")).labCommand(a), usage: usage.labUsage, description: "open JupyterLab on notebooks/ with the project kernel, rebuilding dist/", passThrough: true },
  figures: { run: (a) => (require("./figures") as typeof import("./figures")).figuresCommand(a), usage: usage.figuresUsage, description: "write the commit-message pack to figures/ without Jupyter" },
  measure: { run: (a) => (require("./measure") as typeof import("./measure")).measureCommand(a), usage: usage.measureUsage, description: "a machine's udev log to the measured CSV (per-module spans) and per-attempt events" },
  "synthesize-logs": { run: (a) => (require("./synthesizeLogs") as typeof import("./synthesizeLogs")).synthesizeLogsCommand(a), usage: usage.synthesizeLogsUsage, description: "SYNTHETIC udev logs written by the model (simulated boots), for measure and calibrate" },
  calibrate: { run: (a) => (require("./calibrate") as typeof import("./calibrate")).calibrateCommand(a), usage: usage.calibrateUsage, description: "fit the model's free parameters to the measured spans" },
  bench: { run: (a) => (require("./bench") as typeof import("./bench")).benchCommand(a), usage: usage.benchUsage, description: "measure the speed targets; exit 1 if one is missed" },
  setup: { run: (a) => (require("./setup") as typeof import("./setup")).setupCommand(a), usage: usage.setupUsage, description: "install .venv/ (JupyterLab, nbclient) or Debian's packages, find Chromium, write the kernelspec" },
};

const usageLine = (usage: string) => usage.replace(/^usage: /, "");

export function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    "usage: modburst <command> [options]",
    "",
    "commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.description}`),
    "",
    "options (modburst <command> --help shows one):",
    ...Object.values(commands).map((c) => "  " + usageLine(c.usage)),
  ].join("\n");
}

/** Run one command line (without `node` and the script); its exit code. */
export function dispatch(argv: string[]): number | Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "help" || cmd === "--help") {
    console.log(helpText());
    return 0;
  }
  const c = Object.prototype.hasOwnProperty.call(commands, cmd) ? commands[cmd] : undefined;
  if (!c) throw new UserError(`invalid command: ${cmd} (allowed ${Object.keys(commands).join("|")})`);
  if (!c.passThrough && (rest.includes("--help") || rest.includes("-h"))) {
    console.log(`usage: ${usageLine(c.usage)}`);
    return 0;
  }
  return c.run(rest);
}

/** The process entry (bin/modburst.js): a UserError is one line on stderr and its exit code. */
export function main(argv: string[] = process.argv.slice(2)): void {
  runMain(() => dispatch(argv));
}

if (require.main === module) main();
