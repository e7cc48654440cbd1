import type { Result } from "../loader";
import { base } from "./base";
import { inFlightTable } from "./inflight";
import type { Policy } from "./policy";

const running = inFlightTable();

/**
 * `merge`: the seed's patch, "module: Merge same-name module load requests" v2
 * (Petr Pavlu, Sep 2022; the measured "my"; never merged). Right after the name
 * is known, before (b): if a same-name load is running, wait for its completion
 * and return -EEXIST if it succeeded, -EBUSY if it failed; no retry. The rest of
 * the load keeps base's add_unformed_module. The lookup takes module_mutex.
 */
export const merge: Policy = {
  name: "merge",
  summary: "seed patch v2 ('my'): wait for the running same-name load, -EEXIST/-EBUSY",
  kernel: "6.0-rc3 + seed patch",
  commit: "(never merged)",
  *afterName(k, req) {
    const wait = yield* k.locked(req, () => running.join(k, req));
    if (wait === null) return null;
    // The patch waits interruptibly, as add_unformed_module's wait does [est].
    const result: Result = yield k.waitFor(req, wait);
    return result === "EINTR" ? result : result === 0 ? "EEXIST" : "EBUSY";
  },
  addUnformed: base.addUnformed,
  onDone: running.finish,
};
