/**
 * The `modburst` command: every command is registered here, once. The npm scripts
 * (`npm run reproduce`, ...) are aliases of `node bin/modburst.js <command>`.
 */
import { UserError } from "../core/errors";
import { formatOptions, OptionTable } from "./args";
import { startLifeline } from "./lifeline";
import { runMain } from "./runMain";
import * as usage from "./usage";

export interface Command {
  run: (argv: string[]) => number | Promise<number>;
  usage: string;
  /** One line for `modburst help`. */
  description: string;
  /** The table the command parses its options with (loaded only for --help): its help lists them from it. */
  options: () => OptionTable;
  /** Every argument but its own options and --help goes to the command (lab passes them to Jupyter). */
  passThrough?: boolean;
}

// Each command module is loaded when its command runs (or shows its --help), so `modburst simulate` never loads the browser or Jupyter code.
const simulate = () => require("./simulate") as typeof import("./simulate");
const sweep = () => require("./sweep") as typeof import("./sweep");
const predict = () => require("./predict") as typeof import("./predict");
const reproduce = () => require("./reproduce") as typeof import("./reproduce");
const lab = () => require("./lab") as typeof import("./lab");
const figures = () => require("./figures") as typeof import("./figures");
const measure = () => require("./measure") as typeof import("./measure");
const synthesizeLogs = () => require("./synthesizeLogs") as typeof import("./synthesizeLogs");
const calibrate = () => require("./calibrate") as typeof import("./calibrate");
const bench = () => require("./bench") as typeof import("./bench");
const setup = () => require("./setup") as typeof import("./setup");

export const commands: Record<string, Command> = {
  simulate: { run: (a) => simulate().simulateCommand(a), options: () => simulate().simulateOptions, usage: usage.simulateUsage, description: "simulate boots of a scenario under each policy; a table or JSON" },
  predict: { run: (a) => predict().predictCommand(a), options: () => predict().predictOptions, usage: usage.predictUsage, description: "one policy on one machine: each module's expected span with its 90% interval across structural variants x refits" },
  sweep: { run: (a) => sweep().sweepCommand(a), options: () => sweep().sweepOptions, usage: usage.sweepUsage, description: "simulate a grid (policy x CPUs x init latency) on all cores into a CSV" },
  "merge-results": { run: (a) => sweep().mergeCommand(a), options: () => sweep().mergeOptions, usage: usage.mergeUsage, description: "merge sweep shards into one CSV, identical to the unsharded run" },
  reproduce: { run: (a) => reproduce().reproduceCommand(a), options: () => reproduce().reproduceOptions, usage: usage.reproduceUsage, description: "set the machine up if needed, then execute every notebook in order" },
  lab: { run: (a) => lab().labCommand(a), options: () => lab().labOptions, usage: usage.labUsage, description: "open JupyterLab on notebooks/ with the project kernel, rebuilding dist/", passThrough: true },
  figures: { run: (a) => figures().figuresCommand(a), options: () => figures().figuresOptions, usage: usage.figuresUsage, description: "write the commit-message pack to figures/ without Jupyter" },
  measure: { run: (a) => measure().measureCommand(a), options: () => measure().measureOptions, usage: usage.measureUsage, description: "a machine's udev log to the measured CSV (per-module spans) and per-attempt events" },
  "synthesize-logs": { run: (a) => synthesizeLogs().synthesizeLogsCommand(a), options: () => synthesizeLogs().synthesizeLogsOptions, usage: usage.synthesizeLogsUsage, description: "SYNTHETIC udev logs written by the model (simulated boots), for measure and calibrate" },
  calibrate: { run: (a) => calibrate().calibrateCommand(a), options: () => calibrate().calibrateOptions, usage: usage.calibrateUsage, description: "fit the model's free parameters to the measured spans" },
  bench: { run: (a) => bench().benchCommand(a), options: () => bench().benchOptions, usage: usage.benchUsage, description: "measure the speed targets; exit 1 if one is missed" },
  setup: { run: (a) => setup().setupCommand(a), options: () => setup().setupOptions, usage: usage.setupUsage, description: "install .venv/ (JupyterLab, nbclient) or Debian's packages, find Chromium, write the kernelspec" },
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
    "usage of each (modburst <command> --help lists its options, one line each):",
    ...Object.values(commands).map((c) => "  " + usageLine(c.usage)),
  ].join("\n");
}

/** `modburst <command> --help`: its usage line, what it does, and every option of the table it parses with. */
export function commandHelp(name: string): string {
  const c = commands[name];
  const table = c.options();
  return [
    `usage: ${usageLine(c.usage)}`,
    "",
    c.description,
    "",
    Object.keys(table).length ? "options:" : "options: none",
    ...formatOptions(table),
    ...(c.passThrough ? ["  (any other option goes to Jupyter, e.g. --no-browser --port=8890)"] : []),
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
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(commandHelp(cmd));
    return 0;
  }
  return c.run(rest);
}

/** The process entry (bin/modburst.js): a UserError is one line on stderr and its exit code. */
export function main(argv: string[] = process.argv.slice(2)): void {
  // The command dies with whoever started it, npx or npm included (lifeline.ts).
  if (argv[0] !== undefined && argv[0] !== "help" && argv[0] !== "--help") startLifeline();
  runMain(() => dispatch(argv));
}

if (require.main === module) main();
