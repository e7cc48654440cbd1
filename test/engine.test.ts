import assert from "node:assert/strict";
import { test } from "node:test";
import { Environment, LATE, ProcessGenerator } from "../src/sim/engine";
import { Completion, Mutex } from "../src/sim/resources";
import { Random } from "../src/sim/random";

test("equal times run first-in, first-out; LATE runs after NORMAL at the same instant", () => {
  const env = new Environment();
  const order: string[] = [];
  const at = (d: number, name: string, prio?: number) => (env.timeout(d, name, prio).callbacks!.push(() => order.push(name)));
  at(5, "late", LATE);
  at(5, "a");
  at(3, "first");
  at(5, "b");
  env.run();
  assert.deepEqual(order, ["first", "a", "b", "late"]);
  assert.equal(env.now, 5);
});

test("a negative or fractional delay is refused with the value", () => {
  const env = new Environment();
  assert.throws(() => env.timeout(-3), /negative or fractional delay -3/);
  assert.throws(() => env.timeout(1.5), /delay 1.5/);
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
