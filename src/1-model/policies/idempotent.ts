import type { Result } from "../loader";
import { inFlightTable } from "./inflight";
import { noWaitGoingFirst, noWaitGoingRecheck } from "./noWaitGoing";
import type { Policy } from "./policy";

const inFlight = inFlightTable();

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
  kernel: "v6.5",
  commit: "9b9879fc0327",
  *beforeRead(k, req) {
    const wait = inFlight.join(k, req);
    if (wait === null) return null;
    // A plain wait_for_completion() in v6.5 [src: 9b9879fc0327]: a fatal signal does not end it
    // (2124d84db293 made it interruptible only in v6.11).
    const result: Result = yield wait.wait();
    return result;
  },
  addUnformed: (k, req) => k.addUnformed(req, noWaitGoingFirst, noWaitGoingRecheck),
  onDone: inFlight.finish,
};
