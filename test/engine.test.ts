import assert from "node:assert/strict";
import { test } from "node:test";
import { Environment, LATE, ProcessGenerator } from "../src/1-model/sim/engine";
import { Completion, Mutex } from "../src/1-model/sim/resources";
import { EventHeap } from "../src/1-model/sim/heap";
import { Random } from "../src/core/random";

test("equal times run first-in, first-out; LATE runs after NORMAL at the same instant", () => {
  const env = new Environment();
  const order: string[] = [];
  const at = (d: number, name: string, prio?: number) =>
    env.process(
      (function* () {
        yield env.timeout(d, prio);
        order.push(name);
      })(),
    );
  at(5, "late", LATE);
  at(5, "a");
  at(3, "first");
  at(5, "b");
  env.run();
  assert.deepEqual(order, ["first", "a", "b", "late"]);
  assert.equal(env.now, 5);
});

test("a negative or fractional delay is refused with the value", () => {
  const attempt = (d: number) => {
    const env = new Environment();
    env.process(
      (function* () {
        yield env.timeout(d);
      })(),
    );
    env.run();
  };
  assert.throws(() => attempt(-3), /negative or fractional delay -3/);
  assert.throws(() => attempt(1.5), /delay 1.5/);
});

test("a timeout must be yielded at once by the process that makes it", () => {
  const env = new Environment();
  assert.throws(() => env.timeout(1), /outside a running process/);
  const run = (gen: () => ProcessGenerator<void>) => {
    const e = new Environment();
    e.process(gen.call(e));
    e.run();
  };
  assert.throws(
    () =>
      run(function* (this: Environment) {
        this.timeout(1);
        yield this.event<void>().succeed();
      }),
    /not yielded at once/,
  );
  assert.throws(
    () =>
      run(function* (this: Environment) {
        this.timeout(1);
        yield this.timeout(2);
      }),
    /twice before a yield/,
  );
});

test("a process waits for time and for another process, and gets its value", () => {
  const env = new Environment();
  function* child(): ProcessGenerator<string> {
    yield env.timeout(10);
    return "done";
  }
  const seen: Array<[number, string]> = [];
  env.process(
    (function* () {
      const v: string = yield env.process(child());
      seen.push([env.now, v]);
      yield env.timeout(5);
      seen.push([env.now, "again"]);
    })(),
  );
  env.run();
  assert.deepEqual(seen, [[10, "done"], [15, "again"]]);
});

test("an event can be triggered only once", () => {
  const env = new Environment();
  const ev = env.event<number>().succeed(1);
  assert.throws(() => ev.succeed(2), /already been triggered/);
});

test("the mutex grants first-come first-served and refuses a non-holder's unlock", () => {
  const env = new Environment();
  const m = new Mutex(env);
  const log: string[] = [];
  const user = (name: string, arriveUs: number, holdUs: number) =>
    env.process(
      (function* () {
        const me = {};
        yield env.timeout(arriveUs);
        yield m.lock(me);
        log.push(`${name}@${env.now}`);
        yield env.timeout(holdUs);
        m.unlock(me);
      })(),
    );
  user("a", 0, 10);
  user("b", 1, 10);
  user("c", 2, 10);
  env.run();
  assert.deepEqual(log, ["a@0", "b@10", "c@20"]);
  assert.throws(() => m.unlock({}), /non-holder/);
});

test("a completion wakes every waiter with its value", () => {
  const env = new Environment();
  const c = new Completion<string>(env);
  const got: string[] = [];
  for (let i = 0; i < 3; i++)
    env.process(
      (function* () {
        got.push(yield c.wait());
      })(),
    );
  env.process(
    (function* () {
      yield env.timeout(7);
      c.complete("ok");
    })(),
  );
  env.run();
  assert.deepEqual(got, ["ok", "ok", "ok"]);
});

test("seeded random streams are reproducible and distinct per seed", () => {
  const a = new Random("s:1");
  const b = new Random("s:1");
  const c = new Random("s:2");
  const xs = Array.from({ length: 5 }, () => a.uniform());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.uniform()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.uniform()));
  const r = new Random(7);
  const n = 20000;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.log(r.lognormal(100, 0.5));
  assert.ok(Math.abs(Math.exp(sum / n) - 100) < 2, "lognormal median");
  assert.equal(new Random(1).lognormal(123, 0), 123);
});

test("the heap pops by (time, priority, seq) whatever the interleaving of pushes, pops and peeks", () => {
  const heap = new EventHeap<number>();
  const rng = new Random("heap");
  const live: Array<[number, number, number]> = [];
  let seq = 0;
  let now = 0;
  for (let step = 0; step < 20000; step++) {
    const r = rng.uniform();
    if (r < 0.5 || live.length === 0) {
      // Pushes at or after the last popped time, with frequent ties.
      const t = now + rng.int(4) * rng.int(50);
      const prio = rng.int(3);
      heap.push(t, prio, seq, seq);
      live.push([t, prio, seq]);
      seq++;
    } else if (r < 0.6) {
      live.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      assert.equal(heap.peekTime(), live[0][0]);
    } else {
      live.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      const [t, , s] = live.shift()!;
      assert.equal(heap.pop(), s);
      assert.equal(heap.poppedTime, t);
      now = t;
    }
    assert.equal(heap.size, live.length);
  }
  assert.throws(() => heap.push(0, 4, seq, -1), /priority 4/);
});

test("waiters resume in the order they began to wait; an event already processed continues at once", () => {
  const env = new Environment();
  const order: string[] = [];
  const ev = env.event<string>();
  for (const name of ["p", "q", "r"])
    env.process(
      (function* () {
        order.push(`${name} got ${yield ev}`);
      })(),
    );
  env.process(
    (function* () {
      yield env.timeout(1);
      ev.succeed("x");
      yield env.timeout(1);
      assert.equal(ev.processed, true);
      const t = env.now;
      order.push(`late got ${yield ev}`);
      assert.equal(env.now, t, "no wait for a processed event");
    })(),
  );
  env.run();
  assert.deepEqual(order, ["p got x", "q got x", "r got x", "late got x"]);
});

test("shuffleFirst draws exactly as shuffle, on arrays and on typed arrays", () => {
  const a = Array.from({ length: 100 }, (_, i) => i);
  const b = Int32Array.from(a);
  new Random("same").shuffle(a);
  new Random("same").shuffleFirst(b, b.length);
  assert.deepEqual(Array.from(b), a);
});

test("firstMarked has the law of the first marked item's place in a uniform order", () => {
  // Every branch: one marked item, few marked (Floyd), many marked (inversion).
  for (const [marked, unmarked] of [[1, 30], [3, 400], [10, 25], [40, 3]]) {
    const total = marked + unmarked;
    const rng = new Random(`firstMarked:${marked}:${unmarked}`);
    const n = 40000;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const g = rng.firstMarked(marked, unmarked);
      assert.ok(Number.isInteger(g) && g >= 0 && g <= unmarked, `${g}`);
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    // P(G >= g) = prod_{i<g} (unmarked - i) / (total - i); compare the survival function.
    let survive = 1;
    let seen = 0;
    for (let g = 0; g <= unmarked; g++) {
      const observed = 1 - seen / n;
      const sd = Math.sqrt((survive * (1 - survive)) / n);
      assert.ok(Math.abs(observed - survive) <= 5 * sd + 1e-9, `${marked}/${unmarked}: P(G >= ${g}) ${observed} vs ${survive}`);
      seen += counts.get(g) ?? 0;
      survive *= (unmarked - g) / (total - g);
    }
  }
  assert.equal(new Random(1).firstMarked(5, 0), 0);
  assert.throws(() => new Random(1).firstMarked(0, 5), /marked/);
});
