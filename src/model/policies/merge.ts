import { Completion } from "../../sim/resources";
import type { Kernel } from "../kernel";
import type { Request, Result } from "../types";
import { base } from "./base";
import type { Policy } from "./policy";

interface Running {
  owner: Request;
  done: Completion<Result>;
}

const running = new WeakMap<Kernel, Map<string, Running>>();

function table(k: Kernel): Map<string, Running> {
  let t = running.get(k);
  if (!t) running.set(k, (t = new Map()));
  return t;
}

/**
 * `merge`: the seed's patch, "module: Merge same-name module load requests" v2
 * (Petr Pavlu, Sep 2022; the measured "my"; never merged). Right after the name
 * is known, before (b): if a same-name load is running, wait for its completion
 * and return -EEXIST if it succeeded, -EBUSY if it failed; no retry. The rest of
 * the load keeps base's add_unformed_module.
 */
export const merge: Policy = {
  name: "merge",
  summary: "seed patch v2 ('my'): wait for the running same-name load, -EEXIST/-EBUSY",
  *afterName(k, req) {
    const t = table(k);
    const r = yield* k.locked(() => {
      const cur = t.get(req.module);
      if (cur) return cur;
      t.set(req.module, { owner: req, done: new Completion<Result>(k.env) });
      return null;
    });
    if (r === null) return null;
    const result: Result = yield r.done.wait();
    return result === 0 ? "EEXIST" : "EBUSY";
  },
  addUnformed: base.addUnformed,
  onDone(k, req, r) {
    const t = table(k);
    const cur = t.get(req.module);
    if (cur && cur.owner === req) {
      t.delete(req.module);
      cur.done.complete(r);
    }
  },
};
