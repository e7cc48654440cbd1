/**
 * Reading sweep CSVs (csv.ts's format) as a stream of rows: a file of any
 * length is read in chunks of a megabyte and checked line by line (provenance,
 * header, every row against its grid point, the end line's row count and
 * content hash), so merge-results holds a chunk per shard, never a shard.
 * Any problem is one line `invalid FILE:LINE: rule`, exit 2.
 */
import { createHash, Hash } from "crypto";
import * as fs from "fs";
import { LineSource, parseCommentLine, splitCsvLine, sweepColumns, sweepTable, tableRow } from "../../core/csv";
import { displayPath } from "../../core/paths";
import { UserError } from "../../core/errors";
import { maxCsvFileBytes, openCapped } from "../../core/fsutil";
import { policyNames } from "../../1-model/policies";
import { parseWith } from "../../core/schema/issues";
import { parseJson } from "../../core/schema/readJson";
import { sweepEndPattern, SweepRow } from "./csv";
import { Grid, gridPoint, gridSize, readShard, shardRule } from "./grid";
import { gridLineSchema, provenanceLines, SweepGridInfo, sweepFormatLine, SweepProvenance } from "./provenance";

/** The provenance lines' keys, in order. */
const provenanceKeys = provenanceLines({ grid: {} as SweepGridInfo, params: "", code: "", shard: { k: 1, n: 1 }, jobsTotal: 0 }).map(([k]) => k);

/** `invalid FILE:LINE: rule` */
export function sweepError(file: string, line: number, rule: string): UserError {
  return new UserError(`invalid ${displayPath(file)}:${line}: ${rule}`);
}

/** Open a sweep CSV for reading: a regular file within the size cap, else one line saying which. */
function openSweepFile(file: string): number {
  return openCapped(file, maxCsvFileBytes, (p) =>
    p.kind === "unreadable"
      ? new UserError(`invalid ${displayPath(file)}: cannot read (${p.detail}; allowed: a readable sweep CSV file)`)
      : new UserError(`invalid ${displayPath(file)}: ${p.detail} (allowed: a regular sweep CSV file of at most ${maxCsvFileBytes} bytes)`),
  );
}

/** A row with its 1-based line in the file. */
export interface SweepRowAt {
  row: SweepRow;
  line: number;
}

/**
 * One sweep CSV read row by row. The constructor reads and checks everything
 * before the rows (format line, provenance, header); next() returns each row,
 * checked, then null once the end line's count and hash matched. close() (also
 * after an error) releases the file.
 */
export class SweepCsvReader {
  readonly provenance: SweepProvenance;
  /** 1-based line of each provenance key, for messages. */
  readonly provenanceLine: Record<string, number> = {};
  private readonly fd: number;
  private readonly src: LineSource;
  private readonly hash: Hash = createHash("sha256");
  private readonly modules: string[];
  private readonly fileGrid: Grid;
  private readonly headerLine = provenanceKeys.length + 2;
  private prev: SweepRow | null = null;
  private prevLine = 0;
  private modIdx = 0;
  private rowCount = 0;
  private done = false;
  private closed = false;

  constructor(readonly file: string) {
    this.fd = openSweepFile(file);
    try {
      this.src = new LineSource(file, this.fd, maxCsvFileBytes);
      this.checkFormatLine(this.nextLine());
      const raw = this.readProvenance();
      this.provenance = this.checkProvenance(raw);
      this.fileGrid = { ...this.provenance.grid, initResults: this.provenance.grid.initResults as Array<"fail" | "success">, scenario: undefined } as Grid;
      const jobsTotal = String(gridSize(this.fileGrid));
      if (raw.jobs_total !== jobsTotal) throw this.fail(this.provenanceLine.jobs_total, `jobs_total: ${raw.jobs_total} (allowed ${jobsTotal}, the size of the grid)`);
      const header = this.nextLine();
      if (header !== sweepColumns.join(",")) throw this.fail(this.headerLine, `header: ${header ?? "missing"} (allowed ${sweepColumns.join(",")})`);
      this.modules = this.provenance.grid.scenario.modules;
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Rows read so far. */
  get rows(): number {
    return this.rowCount;
  }

  /** The next row, or null after a complete, unedited file. */
  next(): SweepRowAt | null {
    if (this.done) return null;
    try {
      return this.read();
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }

  private fail(line: number, rule: string): UserError {
    return sweepError(this.file, line, rule);
  }

  private checkFormatLine(first: string | null): void {
    if (first === null) throw this.fail(1, `empty file (allowed: a sweep CSV written by this modburst, starting with "${sweepFormatLine}")`);
    if (first.startsWith("\uFEFF")) throw this.fail(1, `starts with a byte-order mark (U+FEFF, bytes EF BB BF) (allowed: a sweep CSV as sweep writes it, without a BOM; an editor or a Windows tool added it)`);
    if (first === "# modburst-sweep v1") throw this.fail(1, `written by an older modburst (# modburst-sweep v1: no content hash) (allowed: "${sweepFormatLine}"; re-run the sweep with this modburst)`);
    if (first !== sweepFormatLine) throw this.fail(1, `no provenance (allowed: a sweep CSV written by this modburst, starting with "${sweepFormatLine}"; files from older versions must be re-run)`);
  }

  /** The provenance comment lines' values by key, each key in its place. */
  private readProvenance(): Record<string, string> {
    const raw: Record<string, string> = {};
    provenanceKeys.forEach((key, i) => {
      const line = i + 2;
      const kv = parseCommentLine(this.nextLine() ?? "");
      if (!kv || kv[0] !== key) throw this.fail(line, `provenance line "# ${key}: ..." expected (allowed: the lines ${provenanceKeys.join(", ")} in this order)`);
      raw[key] = kv[1];
      this.provenanceLine[key] = line;
    });
    return raw;
  }

  private checkProvenance(raw: Record<string, string>): SweepProvenance {
    const at = this.provenanceLine;
    const where = `${displayPath(this.file)}:${at.grid}`;
    const { grid } = parseWith(gridLineSchema, { grid: parseJson(raw.grid, `${where}: grid`) }, where);
    if (!/^[0-9a-f]{64}$/.test(raw.params)) throw this.fail(at.params, "params: a sha256 hex digest");
    if (!/^[0-9a-f]{16}$/.test(raw.code)) throw this.fail(at.code, "code: a 16-digit hex code version");
    const shard = readShard(raw.shard);
    if (!shard) throw this.fail(at.shard, `shard: ${shardRule}`);
    return { grid, params: raw.params, code: raw.code, shard, jobsTotal: Number(raw.jobs_total) };
  }

  /** The next line (hashed unless it is the end line), with the checks every line gets: complete, LF-terminated. */
  private nextLine(): string | null {
    const l = this.src.next();
    if (l === null) return null;
    const line = this.src.line;
    if (!l.complete) throw this.fail(line, "truncated: the last line does not end with a newline (allowed: a complete file)");
    if (l.text.endsWith("\r")) throw this.fail(line, "CRLF line ending (allowed: LF line endings, as sweep writes them; an editor or a Windows tool converted the file)");
    // Everything above the end line is hashed (the end line holds the hash).
    if (!l.text.startsWith("# end:")) this.hash.update(l.text + "\n");
    return l.text;
  }

  private read(): SweepRowAt | null {
    const text = this.nextLine();
    const line = this.src.line;
    if (text === null) {
      this.done = true;
      throw this.fail(line, `truncated: no "# end: N rows" line after line ${this.prevLine || this.headerLine} (allowed: a complete file)`);
    }
    if (text.startsWith("#")) return this.readEnd(text, line);
    const r = this.parseRow(text, line);
    this.checkGridPoint(r, line);
    this.checkOrder(r, line);
    this.prev = r;
    this.prevLine = line;
    this.rowCount++;
    return { row: r, line };
  }

  /** The end line: its row count and hash against the file's, and nothing after it. */
  private readEnd(text: string, line: number): null {
    const m = sweepEndPattern.exec(text);
    if (!m) throw this.fail(line, `comment line among the rows (allowed: only "# end: N rows, sha256 HEX" after the last row)`);
    if (Number(m[1]) !== this.rowCount) throw this.fail(line, `end line says ${m[1]} rows, the file has ${this.rowCount} (allowed: a complete file)`);
    this.jobDone(line);
    if (this.hash.digest("hex") !== m[2]) {
      throw this.fail(line, "content does not match the end line's sha256 (allowed: the file as sweep or merge-results wrote it; was it edited? re-run the sweep)");
    }
    if (this.src.next() !== null) throw this.fail(line + 1, "lines after the end line");
    this.done = true;
    return null;
  }

  /** A row's cells by sweepTable, its keywords checked. */
  private parseRow(text: string, line: number): SweepRow {
    const cells = splitCsvLine(text);
    if (typeof cells === "string") throw this.fail(line, `${cells} (allowed: RFC 4180 quoting)`);
    if (cells.length !== sweepColumns.length) throw this.fail(line, `${cells.length} fields (allowed ${sweepColumns.length}: ${sweepColumns.join(",")})`);
    const r = tableRow(sweepTable, cells);
    if (typeof r === "string") throw this.fail(line, r);
    if (!policyNames.includes(r.policy)) throw this.fail(line, `policy: ${r.policy} (allowed ${policyNames.join("|")})`);
    if (r.initResult !== "fail" && r.initResult !== "success") throw this.fail(line, `init_result: ${r.initResult} (allowed fail|success)`);
    return r;
  }

  /** The row against the provenance: its job in the grid and the shard, its settings the job's grid point. */
  private checkGridPoint(r: SweepRow, line: number): void {
    const { jobsTotal, shard, grid } = this.provenance;
    if (r.jobsTotal !== jobsTotal) throw this.fail(line, `jobs_total: ${r.jobsTotal} (allowed ${jobsTotal}, as in the provenance)`);
    if (r.job >= jobsTotal) throw this.fail(line, `job: ${r.job} (allowed 0..${jobsTotal - 1}: below jobs_total)`);
    if (r.job % shard.n !== shard.k - 1) throw this.fail(line, `job ${r.job} is not in shard ${shard.k}/${shard.n} (allowed: jobs numbered ${shard.k - 1} modulo ${shard.n})`);
    if (r.seed !== grid.seed) throw this.fail(line, `seed: ${r.seed} (allowed ${grid.seed}, the grid's seed)`);
    const p = gridPoint(this.fileGrid, r.job);
    if (r.policy !== p.policy || r.cpus !== p.cpus || r.initLatencyMs !== p.initLatencyMs || r.initResult !== p.initResult || r.boot !== p.boot) {
      throw this.fail(line, `job ${r.job} is ${r.policy},${r.cpus},${r.initLatencyMs},${r.initResult},boot ${r.boot} (allowed ${p.policy},${p.cpus},${p.initLatencyMs},${p.initResult},boot ${p.boot}, its grid point)`);
    }
  }

  /** Jobs ascending, each with the scenario's modules in order. */
  private checkOrder(r: SweepRow, line: number): void {
    const prev = this.prev;
    if (prev && r.job !== prev.job) {
      this.jobDone(line);
      if (r.job < prev.job) throw this.fail(line, `job ${r.job} after job ${prev.job} (allowed: jobs ascending, each once)`);
      this.modIdx = 0;
    }
    if (this.modules[this.modIdx] !== r.module) {
      throw this.fail(line, `module: ${r.module} (allowed ${this.modules[this.modIdx] ?? `none: job ${r.job} already has all ${this.modules.length}`})`);
    }
    this.modIdx++;
  }

  private jobDone(line: number): void {
    const prev = this.prev;
    if (prev && this.modIdx !== this.modules.length) {
      throw this.fail(line, `job ${prev.job} has ${this.modIdx} of ${this.modules.length} modules (allowed: every job with ${this.modules.join(",")})`);
    }
  }
}

export interface SweepFile {
  file: string;
  provenance: SweepProvenance;
  rows: SweepRow[];
}

/**
 * Read and check one whole sweep CSV written by `sweep`, `merge-results` or
 * derivedSweep (data/derived/) into memory: for the notebooks' small sweeps
 * and tests; merge-results streams with SweepCsvReader instead.
 */
export function readSweepCsv(file: string): SweepFile {
  const reader = new SweepCsvReader(file);
  const rows: SweepRow[] = [];
  try {
    for (let r = reader.next(); r !== null; r = reader.next()) rows.push(r.row);
  } finally {
    reader.close();
  }
  return { file, provenance: reader.provenance, rows };
}
