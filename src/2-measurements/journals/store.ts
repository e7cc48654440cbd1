/**
 * Every load attempt of a measure run, in typed-array chunks: 21 bytes an
 * attempt where an object takes ~150, so that logs near the input cap
 * (--max-input-mb, mostly load lines in the worst case) fit in memory. Module
 * names and errno texts are kept once each and referred to by index. A boot's
 * attempts are one range of indices (readLogs.ts adds them boot by boot).
 */
import { AttemptOutcome, outcomes } from "./attempts";

const chunkSize = 1 << 16;

interface Chunk {
  /** The log's own clock, integer microseconds (exact up to 2^53). */
  timeUs: Float64Array;
  module: Uint32Array;
  text: Uint32Array;
  /** Line in the boot's file, for messages naming it. */
  line: Uint32Array;
  outcome: Uint8Array;
}

function newChunk(): Chunk {
  return {
    timeUs: new Float64Array(chunkSize),
    module: new Uint32Array(chunkSize),
    text: new Uint32Array(chunkSize),
    line: new Uint32Array(chunkSize),
    outcome: new Uint8Array(chunkSize),
  };
}

/** A table of distinct strings: each kept once, as its own copy (never a slice that would keep a whole log's text alive). */
class Interned {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  get(value: string): number {
    const known = this.index.get(value);
    if (known !== undefined) return known;
    const copy = Buffer.from(value, "utf8").toString("utf8");
    this.values.push(copy);
    this.index.set(copy, this.values.length - 1);
    return this.values.length - 1;
  }
}

export class AttemptStore {
  private readonly chunks: Chunk[] = [];
  length = 0;
  readonly modules = new Interned();
  readonly texts = new Interned();

  push(timeUs: number, module: string, outcome: AttemptOutcome, errnoText: string, line: number): void {
    const k = this.length % chunkSize;
    if (k === 0) this.chunks.push(newChunk());
    const c = this.chunks[this.chunks.length - 1];
    c.timeUs[k] = timeUs;
    c.module[k] = this.modules.get(module);
    c.text[k] = this.texts.get(errnoText);
    c.line[k] = line;
    c.outcome[k] = outcomes.indexOf(outcome);
    this.length++;
  }

  private at(i: number): [Chunk, number] {
    return [this.chunks[Math.floor(i / chunkSize)], i % chunkSize];
  }
  timeUs(i: number): number {
    const [c, k] = this.at(i);
    return c.timeUs[k];
  }
  moduleIndex(i: number): number {
    const [c, k] = this.at(i);
    return c.module[k];
  }
  module(i: number): string {
    return this.modules.values[this.moduleIndex(i)];
  }
  textIndex(i: number): number {
    const [c, k] = this.at(i);
    return c.text[k];
  }
  errnoText(i: number): string {
    return this.texts.values[this.textIndex(i)];
  }
  line(i: number): number {
    const [c, k] = this.at(i);
    return c.line[k];
  }
  outcome(i: number): AttemptOutcome {
    const [c, k] = this.at(i);
    return outcomes[c.outcome[k]];
  }

  /**
   * Indices start..end-1 in time order, ties in the order logged: journal
   * output is in time order already, a console capture from several writers
   * may not quite be.
   */
  sortedRange(start: number, end: number): Uint32Array {
    const order = new Uint32Array(end - start);
    let sorted = true;
    for (let i = 0; i < order.length; i++) {
      order[i] = start + i;
      if (i > 0 && this.timeUs(start + i) < this.timeUs(start + i - 1)) sorted = false;
    }
    if (!sorted) order.sort((a, b) => this.timeUs(a) - this.timeUs(b) || a - b);
    return order;
  }
}
