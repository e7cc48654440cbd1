import type { Decision, ModuleInstance } from "../loader";
import type { Policy } from "./policy";

/** First check of 0254127ab977: wait for UNFORMED/COMING; GOING is -EBUSY at once; LIVE is -EEXIST. */
export function noWaitGoingFirst(old: ModuleInstance | undefined): Decision {
  if (!old) return "leader";
  if (old.state === "UNFORMED" || old.state === "COMING") return "sleep";
  return old.state === "LIVE" ? "EEXIST" : "EBUSY";
}

/** After one wait (finished_loading: gone, LIVE or GOING): -EEXIST if LIVE, else -EBUSY; never retry. */
export function noWaitGoingRecheck(old: ModuleInstance | undefined): Decision {
  if (old && (old.state === "UNFORMED" || old.state === "COMING")) return "sleep";
  return old && old.state === "LIVE" ? "EEXIST" : "EBUSY";
}

/**
 * `no-wait-going`: upstream 0254127ab977 ("module: Don't wait for GOING
 * modules", v6.2). A duplicate waits at most once, for an UNFORMED/COMING
 * module, and then returns -EEXIST (LIVE) or -EBUSY; it never retries into a
 * full load of its own.
 */
export const noWaitGoing: Policy = {
  name: "no-wait-going",
  summary: "v6.2 0254127ab977: wait once, then -EEXIST/-EBUSY; never retry",
  kernel: "v6.2",
  commit: "0254127ab977",
  addUnformed: (k, req) => k.addUnformed(req, noWaitGoingFirst, noWaitGoingRecheck),
};
