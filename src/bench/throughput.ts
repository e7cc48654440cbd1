/**
 * Engine throughput: processes that each wait for timeouts of pseudo-random
 * length (1..1024 us), against the bare minimum any event loop pays for the
 * same events, a typed binary heap pushed and popped in a loop with the same
 * delays. Rounds alternate and the best of each side counts, so load from
 * other programs distorts the ratio as little as possible.
 */
import { Environment, ProcessGenerator } from "../1-model/sim/engine";

function lcg(x: number): number {
  return (Math.imul(x, 1103515245) + 12345) & 0x3ff;
}

export function engineEventsPerS(pending: number, events: number): number {
  const env = new Environment();
  const per = Math.ceil(events / pending);
  for (let p = 0; p < pending; p++) {
    env.process(
      (function* (): ProcessGenerator<void> {
        let x = (p * 7919) % 1024;
        for (let i = 0; i < per; i++) {
          x = lcg(x);
          yield env.timeout(x + 1);
        }
      })(),
    );
  }
  const t0 = process.hrtime.bigint();
  env.run();
  return env.eventsProcessed / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export function bareHeapEventsPerS(pending: number, events: number): number {
  let cap = 16;
  while (cap < pending + 1) cap *= 2;
  const keys = new Float64Array(cap);
  const vals = new Int32Array(cap);
  let n = 0;
  const push = (k: number, v: number) => {
    let i = n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= k) break;
      keys[i] = keys[parent];
      vals[i] = vals[parent];
      i = parent;
    }
    keys[i] = k;
    vals[i] = v;
  };
  const pop = () => {
    const top = vals[0];
    const m = --n;
    const k = keys[m], v = vals[m];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= m) break;
      if (c + 1 < m && keys[c + 1] < keys[c]) c++;
      if (k <= keys[c]) break;
      keys[i] = keys[c];
      vals[i] = vals[c];
      i = c;
    }
    keys[i] = k;
    vals[i] = v;
    return top;
  };
  const xs = new Int32Array(pending);
  for (let p = 0; p < pending; p++) {
    xs[p] = (p * 7919) % 1024;
    push(0, p);
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events; i++) {
    const t = keys[0];
    const p = pop();
    const x = (xs[p] = lcg(xs[p]));
    push(t + x + 1, p);
  }
  return events / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export interface Throughput {
  pending: number;
  engineEventsPerS: number;
  bareEventsPerS: number;
  ratio: number;
}

/** Best of `rounds` alternating rounds of each side, `events` events each, `pending` at a time. */
export function compareThroughput(pending: number, events: number, rounds: number): Throughput {
  let engine = 0;
  let bare = 0;
  for (let r = 0; r < rounds; r++) {
    engine = Math.max(engine, engineEventsPerS(pending, events));
    bare = Math.max(bare, bareHeapEventsPerS(pending, events));
  }
  return { pending, engineEventsPerS: engine, bareEventsPerS: bare, ratio: engine / bare };
}
