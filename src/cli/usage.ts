/**
 * Every command's usage line, in one light module: `modburst help` shows them
 * without loading any command (each loads its own dependencies only when run).
 */
export const setupUsage = "modburst setup [--user | --remove-user | --slurm]";
export const labUsage = "modburst lab [--print-command] [--no-rebuild] [Jupyter options, e.g. --no-browser --port=8890]";
export const sweepUsage =
  "modburst sweep --policy all --cpus 8,16,...,4096 --init-latency-ms 0,1,10,100,1000 --boots 20 --out FILE|- [--init-result fail] [--seed S] [--shard K/N] [--threads T] [--params FILE] [--scenario NAME|FILE.json] [--max-hours H] [--slurm [--slurm-tasks N] [--slurm-args \"ARGS\"] [--run-dir DIR] [--dry-run]] | --resume RUN_DIR [--out FILE]";
export const mergeUsage = "modburst merge-results SHARD.csv... --out FILE|-";
export const benchUsage = "modburst bench [--pipeline]";
export const calibrateUsage =
  "modburst calibrate [--study NAME|FOLDER | --out FILE] [--seed S] [--refits N | --bootstrap N [--full [--slurm [--run-dir DIR | --resume RUN_DIR] [--slurm-args \"ARGS\"] [--refit-task I]]]] [--max-hours H] | --variant NAME [--refits N] [--max-hours H] | --verdict-only [--study NAME|FOLDER | --out FILE]";
export const predictUsage = "modburst predict [--policy NAME] [--cpus N] [--scenario NAME|FILE.json] [--init-latency-ms X] [--json] [--max-hours H]";
export const simulateUsage =
  "usage: modburst simulate [--policy NAME|all] [--cpus N] [--boots K] [--seed S] [--scenario NAME|FILE.json] " +
  "[--init-latency-ms X] [--init-result fail|success] [--params FILE] [--json] [--max-hours H]";
export const measureUsage =
  "modburst measure LOG... --config NAME [--policy NAME] --out FILE.csv|- [--events FILE.csv] [--lenient] [--single-attempts refuse|keep|skip] [--max-input-mb N]";
export const synthesizeLogsUsage =
  "modburst synthesize-logs --scenario NAME|FILE.json --policy NAME --boots N --seed S [--params FILE] [--format short-precise|json|debug] --out FILE.log|-";
export const figuresUsage = "modburst figures [--study NAME|FOLDER] [--out DIR] [--no-cache]";
export const reproduceUsage = "modburst reproduce [--study NAME|FOLDER] [--timeout-seconds N] [--dir FOLDER] [--no-cache] [--max-hours H] [PREFIX|notebooks/NAME.ipynb ...]";
