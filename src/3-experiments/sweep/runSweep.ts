/** Running a sweep (or one shard of it) across worker threads. */
import type { Params } from "../../1-model/params";
import { StreamOptions, streamBoots } from "../parallel/pool";
import { Grid, gridPoint, gridSize, jobOf, Shard, shardJob, shardSize, validateGrid } from "./grid";
import { pointRows, SweepCsvStream, SweepRow } from "./csv";
import type { SweepProvenance } from "./provenance";
import { pushAll } from "../../core/arrays";

export interface SweepOptions extends StreamOptions {
  shard?: Shard | null;
}

/**
 * Run the grid (or its shard), handing each job's rows to `onRows` in job order
 * as they finish: nothing but the in-flight window is held, whatever the grid's size.
 */
export async function streamSweep(grid: Grid, params: Params, onRows: (rows: SweepRow[]) => void, o: SweepOptions = {}): Promise<void> {
  validateGrid(grid);
  const total = gridSize(grid);
  const shard = o.shard ?? null;
  const pointAt = (i: number) => gridPoint(grid, shardJob(i, shard));
  await streamBoots(shardSize(total, shard), (i) => jobOf(pointAt(i), grid, params), (i, r) => onRows(pointRows(pointAt(i), r, total, grid.seed)), o);
}

/** Every row in memory: for the notebooks' sweeps, which are small. */
export async function runSweep(grid: Grid, params: Params, o: SweepOptions = {}): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  await streamSweep(grid, params, (r) => pushAll(rows, r), o);
  return rows;
}

/**
 * Stream the sweep into `file` (see SweepCsvStream): rows are written as jobs
 * finish, in job order, and the file appears only once complete. On any error,
 * an abort included, the partial file is removed. Returns the rows written.
 */
export async function sweepToFile(file: string, grid: Grid, params: Params, provenance: SweepProvenance, o: SweepOptions = {}): Promise<number> {
  const out = new SweepCsvStream(file, provenance);
  try {
    await streamSweep(grid, params, (rows) => out.write(rows), o);
    out.finish();
  } catch (err) {
    out.abort();
    throw err;
  }
  return out.rows;
}
