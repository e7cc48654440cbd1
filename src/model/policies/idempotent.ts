import { Completion } from "../../sim/resources";
import type { Kernel } from "../kernel";
import type { Request, Result } from "../types";
import { noWaitGoingFirst, noWaitGoingRecheck } from "./noWaitGoing";
import type { Policy } from "./policy";

interface InFlight {
  owner: Request;
  done: Completion<Result>;
}

const inFlight = new WeakMap<Kernel, Map<string, InFlight>>();

function table(k: Kernel): Map<string, InFlight> {
  let t = inFlight.get(k);
  if (!t) inFlight.set(k, (t = new Map()));
  return t;
}

/**
 * `idempotent`: upstream 9b9879fc0327 ("modules: catch concurrent module loads,
 * treat them as idempotent", v6.5). In finit_module, before (a): concurrent
 * loads of the same file wait for the first and return exactly its result; they
 * read nothing and allocate nothing. Its own spinlock, not module_mutex. Behind
 * it, add_unformed_module is v6.2's.
 */
export const idempotent: Policy = {
  name: "idempotent",
  summary: "v6.5 9b9879fc0327: concurrent same-file loads share the first's result",
  *beforeRead(k, req) {
    const t = table(k);
    const cur = t.get(req.module);
    if (!cur) {
      t.set(req.module, { owner: req, done: new Completion<Result>(k.env) });
      return null;
    }
    const result: Result = yield cur.done.wait();
    return result;
  },
  addUnformed: (k, req) => k.addUnformed(req, noWaitGoingFirst, noWaitGoingRecheck),
  onDone(k, req, r) {
    const t = table(k);
    const cur = t.get(req.module);
    if (cur && cur.owner === req) {
      t.delete(req.module);
      cur.done.complete(r);
    }
  },
};
