/** The `modburst` command: subcommands dispatch here. */
import { UserError } from "../errors";
import { runMain } from "./runMain";
import { simulateCommand, simulateUsage } from "./simulate";
import { mergeCommand, mergeUsage, sweepCommand, sweepUsage } from "./sweep";

const commands: Record<string, { run: (argv: string[]) => number | Promise<number>; usage: string }> = {
  simulate: { run: simulateCommand, usage: simulateUsage },
  sweep: { run: sweepCommand, usage: sweepUsage },
  "merge-results": { run: mergeCommand, usage: mergeUsage },
};

runMain(() => {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === undefined || cmd === "help" || cmd === "--help") {
    console.log(["usage: modburst <command> [options]", "", ...Object.values(commands).map((c) => "  " + c.usage)].join("\n"));
    return 0;
  }
  const c = commands[cmd];
  if (!c) throw new UserError(`invalid command: ${cmd} (allowed ${Object.keys(commands).join("|")})`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(c.usage.startsWith("usage:") ? c.usage : `usage: ${c.usage}`);
    return 0;
  }
  return c.run(rest);
});
