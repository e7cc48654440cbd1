/**
 * The batch script of a run: one array task runs one `modburst` command of the
 * same checkout (`node CHECKOUT/bin/modburst.js ...`), detached from the
 * lifeline (MODBURST_DETACHED=1: its starter is slurmstepd, not a user), and
 * records its exit code in the run folder. Before any work it checks the run
 * folder's token: a compute node that does not see the submitter's folder (not
 * a shared filesystem) fails at once with a line saying so.
 */
import * as path from "path";
import { logFile, RunState, statusFile, tokenFile } from "./runDir";

/** A shell word that stays one word whatever it holds. */
export const shellQuote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** A task argument with its placeholders: "{task}" is the array index, "{shard}" the index plus one. */
function taskWord(arg: string): string {
  if (!arg.includes("{task}") && !arg.includes("{shard}")) return shellQuote(arg);
  return arg
    .split(/(\{task\}|\{shard\})/)
    .map((part) => (part === "{task}" ? '"$i"' : part === "{shard}" ? '"$((i + 1))"' : part === "" ? "" : shellQuote(part)))
    .join("");
}

/** The task's exit code when the run folder is not the submitter's (no token): named in the run's error. */
export const notVisibleExit = 97;

export function jobScript(dir: string, state: RunState): string {
  const r = state.resources;
  const q = shellQuote;
  // %a and %A: Slurm's array index and array job id, in the log's name.
  const log = logFile(dir, 0, "JOB").replace("task-0.job-JOB", "task-%a.job-%A");
  const status = statusFile(dir, 0).replace(/task-0$/, "");
  const command = [state.node, path.join(state.checkout, "bin", "modburst.js"), ...state.taskArgs].map(taskWord).join(" ");
  return [
    "#!/bin/bash",
    `# modburst ${state.kind}, ${state.tasks} array tasks: written by \`modburst ${state.kind} --slurm\` (run folder ${dir}).`,
    `#SBATCH --job-name=modburst-${state.kind}`,
    `#SBATCH --output=${log}`,
    `#SBATCH --time=${r.timeMinutes}`,
    `#SBATCH --mem=${r.memMb}M`,
    "#SBATCH --nodes=1",
    "#SBATCH --ntasks=1",
    `#SBATCH --cpus-per-task=${r.cpusPerTask}`,
    "set -u",
    `run=${q(dir)}`,
    'i="$SLURM_ARRAY_TASK_ID"',
    "# The submitter's folder, seen from this node: same path, same token (the checkout and run folder must be on a shared filesystem).",
    `if [ "$(cat ${q(tokenFile(dir))} 2>/dev/null)" != ${q(state.token)} ]; then`,
    `  echo "modburst: run folder $run is not visible on $(hostname) as the submitter wrote it (allowed: a checkout and --run-dir on a filesystem shared with the compute nodes)" >&2`,
    `  exit ${notVisibleExit}`,
    "fi",
    `rm -f ${q(status)}"task-$i"`,
    `MODBURST_DETACHED=1 ${command}`,
    "code=$?",
    `echo "$code" > ${q(status)}".task-$i.tmp" && mv -f ${q(status)}".task-$i.tmp" ${q(status)}"task-$i"`,
    'exit "$code"',
    "",
  ].join("\n");
}
