import type { Completion } from "../sim/resources";
import type { Loader, Request, Result } from "../loader";

/**
 * A table of loads in flight per module name, per simulated kernel: the first
 * request of a name owns the entry, later ones get its completion to wait on.
 * Both merging policies (the seed's patch and v6.5's) keep such a table; where
 * they differ is only where they look it up and what a waiter returns.
 */
export function inFlightTable() {
  const tables = new WeakMap<Loader, Map<string, { owner: Request; done: Completion<Result> }>>();
  const of = (k: Loader) => {
    let t = tables.get(k);
    if (!t) tables.set(k, (t = new Map()));
    return t;
  };
  return {
    /** Null when `req` now owns the name; else the running load's completion. */
    join(k: Loader, req: Request): Completion<Result> | null {
      const t = of(k);
      const cur = t.get(req.module);
      if (cur) return cur.done;
      t.set(req.module, { owner: req, done: k.completion<Result>() });
      return null;
    },
    /** At any request's end: if it owned the name, release it and wake the waiters with its result. */
    finish(k: Loader, req: Request, r: Result): void {
      const t = of(k);
      const cur = t.get(req.module);
      if (cur && cur.owner === req) {
        t.delete(req.module);
        cur.done.complete(r);
      }
    },
  };
}
