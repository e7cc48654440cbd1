/** Running a sweep (or one shard of it) across worker threads. */
import type { Params } from "../model/params";
import { PoolOptions, runBoots } from "../parallel/pool";
import { Grid, gridPoints, jobOf, shardOf, validateGrid } from "./grid";
import { SweepRow, sweepRows } from "./csv";

export async function runSweep(grid: Grid, params: Params, o: PoolOptions & { shard?: { k: number; n: number } | null } = {}): Promise<SweepRow[]> {
  const all = gridPoints(validateGrid(grid));
  const points = shardOf(all, o.shard ?? null);
  const results = await runBoots(points.map((p) => jobOf(p, grid, params)), o);
  return sweepRows(points, results, all.length, grid.seed);
}
