/**
 * Sweep results as a tidy CSV: one row per grid point, boot and module. A file
 * written by `modburst sweep`, `merge-results` or notebook 03 (data/derived/)
 * starts with comment lines (`# `) recording its provenance (see provenance.ts)
 * and ends with `# end: N rows, sha256 HEX`: the row count catches a truncated
 * file, the hash (of every line above the end line) a hand-edited one. Cells
 * are RFC 4180-quoted where needed (a module name with a comma or a quote).
 * Other tools load it by skipping lines starting with #. Reading is in
 * readCsv.ts, merging shards in merge.ts; the columns in data/csv.ts's sweepTable.
 */
import { createHash, Hash } from "crypto";
import { SweepRow, sweepColumns, sweepTable, tableLine } from "../../core/csv";
import type { BootResult } from "../../1-model/boot";
import { StreamedOutput, writeOutput } from "../../core/outputs";
import { GridPoint } from "./grid";
import { formatProvenance, SweepProvenance } from "./provenance";

export type { SweepRow };

/** One job's rows: one per module, in the scenario's order. */
export function pointRows(p: GridPoint, result: BootResult, jobsTotal: number, seed: number): SweepRow[] {
  return Object.entries(result.modules).map(([module, m]) => ({
    job: p.job, jobsTotal, policy: p.policy, cpus: p.cpus, initLatencyMs: p.initLatencyMs, initResult: p.initResult,
    seed, boot: p.boot, module, spanSeconds: m.spanSeconds, attempts: m.attempts, fullLoads: m.fullLoads,
    herdWakeups: m.herdWakeups, peakVmallocBytes: m.peakVmallocBytes,
  }));
}

/** The last line: the row count and the sha256 (hex) of every line above it, each with its newline. */
export const sweepEndLine = (rows: number, sha256: string): string => `# end: ${rows} rows, sha256 ${sha256}`;
export const sweepEndPattern = /^# end: (\d+) rows, sha256 ([0-9a-f]{64})$/;

/** One row's CSV line, without the newline. */
export const sweepRowLine = (r: SweepRow): string => tableLine(sweepTable, r);

/** The CSV text, framed by its provenance comment lines and the end line. */
export function formatSweepCsv(rows: SweepRow[], provenance: SweepProvenance): string {
  const body = [...formatProvenance(provenance), sweepColumns.join(","), ...rows.map(sweepRowLine)].join("\n") + "\n";
  return body + sweepEndLine(rows.length, createHash("sha256").update(body).digest("hex")) + "\n";
}

/** Write a sweep CSV whole (outputs.ts: temp file and rename; a device or `-` written through); an I/O error is one line naming the file and its cause (exit 1). */
export function writeSweepCsv(file: string, rows: SweepRow[], provenance: SweepProvenance): void {
  writeOutput(file, formatSweepCsv(rows, provenance));
}

/**
 * A sweep CSV written as its rows arrive, byte-identical to formatSweepCsv of
 * the same rows, through outputs.ts's StreamedOutput: into a temp file beside
 * `file`, renamed into place by finish(), so readers never see a partial file
 * and a failed run leaves the old one as it was; every write's byte count is
 * checked. Any I/O error is a writeError (exit 1); after one, or on abort(),
 * the temp file is gone. `file` may be `-` (stdout) or a device.
 */
export class SweepCsvStream {
  private readonly out: StreamedOutput;
  private readonly hash: Hash = createHash("sha256");
  private pending: string[] = [];
  private pendingChars = 0;
  rows = 0;

  constructor(readonly file: string, provenance: SweepProvenance) {
    this.out = new StreamedOutput(file);
    for (const line of [...formatProvenance(provenance), sweepColumns.join(",")]) this.push(line);
  }

  write(rows: SweepRow[]): void {
    for (const r of rows) this.push(sweepRowLine(r));
    this.rows += rows.length;
  }

  /** The end line, then the file is complete: flush, fsync and rename into place. */
  finish(): void {
    this.flush();
    const end = sweepEndLine(this.rows, this.hash.digest("hex")) + "\n";
    this.out.write(end);
    this.out.commit();
  }

  /** Drop the partial file (after an error or a signal); never throws. */
  abort(): void {
    this.pending = [];
    this.out.abort();
  }

  private push(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    // Hand over chunks of about a megabyte: few system calls, little held in memory.
    if (this.pendingChars >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join("\n") + "\n";
    this.pending = [];
    this.pendingChars = 0;
    this.hash.update(text);
    this.out.write(text);
  }
}
