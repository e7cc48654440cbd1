/**
 * merge-results: shard files into the unsharded result, streamed. Each shard is
 * read row by row (SweepCsvReader) and the shards are merged by job number (a
 * heap of the shards' current jobs), so memory is a chunk per shard whatever
 * the row count: see mergeMemoryEstimateBytes. The output goes through
 * outputs.ts (SweepCsvStream): complete, or not replaced at all.
 */
import * as fs from "fs";
import { displayPath } from "../../core/paths";
import { UserError } from "../../core/errors";
import { SweepCsvStream } from "./csv";
import { provenanceLines, SweepProvenance } from "./provenance";
import { SweepCsvReader, sweepError, SweepRowAt } from "./readCsv";

/**
 * Peak resident memory of a merge, bytes, whatever the number of rows: Node,
 * the kit's code and the garbage V8 lets pile up between collections (measured
 * ~140 MB merging one 1M-row file, ~155 MB for two 500k-row shards), plus per
 * shard its read chunk, decoded text and split lines (~16 MB with slack).
 */
export const mergeMemoryEstimateBytes = (shards: number): number => (160 + 16 * shards) * 2 ** 20;

/** A min-heap of shard indices ordered by (current job, index): the next job in order, ties to the earlier argument. */
class ShardHeap {
  private readonly items: number[] = [];
  constructor(private readonly job: (i: number) => number) {}
  get size(): number {
    return this.items.length;
  }
  private less(a: number, b: number): boolean {
    const ja = this.job(a);
    const jb = this.job(b);
    return ja < jb || (ja === jb && a < b);
  }
  push(i: number): void {
    const h = this.items;
    h.push(i);
    let k = h.length - 1;
    while (k > 0) {
      const up = (k - 1) >> 1;
      if (!this.less(h[k], h[up])) break;
      [h[k], h[up]] = [h[up], h[k]];
      k = up;
    }
  }
  pop(): number {
    const h = this.items;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === k) break;
        [h[k], h[m]] = [h[m], h[k]];
        k = m;
      }
    }
    return top;
  }
}

/** Refuse a file given twice (any spelling, hard links too) or missing, before reading any. */
function checkInputs(files: string[]): void {
  if (files.length === 0) throw new UserError("invalid merge-results: no input files (allowed: one or more sweep CSV files)");
  const seen = new Map<string, string>();
  for (const f of files) {
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch {
      throw new UserError(`invalid merge-results input: ${displayPath(f)} (allowed: existing sweep CSV files)`);
    }
    const id = `${st.dev}:${st.ino}`;
    const first = seen.get(id);
    if (first !== undefined) throw sweepError(f, 1, `same file as ${displayPath(first)} (allowed: each shard once)`);
    seen.set(id, f);
  }
}

/**
 * Merge shard files into `out` (a path, a device or `-`): rows ordered by job,
 * all from one sweep (same provenance but the shard line), every job of the
 * grid exactly once. The result's provenance is the shards' with shard 1/1, so
 * it is byte-identical to the unsharded run. Any problem in any shard, found
 * while streaming, removes the partial output: `out` keeps its old content.
 * Returns the rows written.
 */
export function mergeSweepFiles(files: string[], out: string): { rows: number; provenance: SweepProvenance } {
  checkInputs(files);
  const readers: SweepCsvReader[] = [];
  try {
    for (const f of files) readers.push(new SweepCsvReader(f));
    const ref = readers[0];
    const refLines = Object.fromEntries(provenanceLines(ref.provenance));
    for (const s of readers.slice(1)) {
      for (const [key, value] of provenanceLines(s.provenance)) {
        if (key === "shard" || value === refLines[key]) continue;
        throw sweepError(s.file, s.provenanceLine[key], `${key} differs from ${displayPath(ref.file)} (allowed: shards of one sweep: same grid, seed, params and code)`);
      }
    }
    const provenance: SweepProvenance = { ...ref.provenance, shard: { k: 1, n: 1 } };
    const writer = new SweepCsvStream(out, provenance);
    try {
      mergeRows(readers, writer, provenance.jobsTotal);
      writer.finish();
    } catch (err) {
      writer.abort();
      throw err;
    }
    return { rows: writer.rows, provenance };
  } finally {
    for (const r of readers) r.close();
  }
}

function mergeRows(readers: SweepCsvReader[], writer: SweepCsvStream, jobsTotal: number): void {
  const heads: Array<SweepRowAt | null> = readers.map((r) => r.next());
  const heap = new ShardHeap((i) => heads[i]!.row.job);
  heads.forEach((h, i) => h && heap.push(i));
  let expected = 0;
  let missing = 0;
  let firstMissing = -1;
  let lastOwner = -1;
  while (heap.size > 0) {
    const i = heap.pop();
    const job = heads[i]!.row.job;
    if (job < expected) {
      // Only the job just written can still be at a head: each shard's jobs ascend.
      throw sweepError(readers[i].file, heads[i]!.line, `job ${job} also in ${displayPath(readers[lastOwner].file)} (allowed: each job in one shard)`);
    }
    if (job > expected) {
      if (firstMissing === -1) firstMissing = expected;
      missing += job - expected;
    }
    // All of this job's rows (one per module), in the file's order.
    const batch = [];
    while (heads[i] !== null && heads[i]!.row.job === job) {
      batch.push(heads[i]!.row);
      heads[i] = readers[i].next();
    }
    writer.write(batch);
    if (heads[i] !== null) heap.push(i);
    expected = job + 1;
    lastOwner = i;
  }
  if (expected < jobsTotal) {
    if (firstMissing === -1) firstMissing = expected;
    missing += jobsTotal - expected;
  }
  if (missing > 0) {
    throw new UserError(`invalid merge-results: ${missing} of ${jobsTotal} jobs missing (first: job ${firstMissing}; allowed: all shards of the grid)`);
  }
}
