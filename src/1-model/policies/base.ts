import type { Policy } from "./policy";

/**
 * `base`: v6.0-rc3, after 6e6de3dee51a ("kernel/module.c: Only return -EEXIST
 * for modules that have finished loading", v5.3). A duplicate of a module that is
 * not LIVE sleeps on module_wq until that module is gone or LIVE, then retries;
 * the first retry to find the name gone becomes the next leader and runs a full
 * (failing) load. So N failing requests become N serialised full loads.
 */
export const base: Policy = {
  name: "base",
  summary: "6.0-rc3: wait until gone or LIVE, then retry (serialises failing loads)",
  kernel: "6.0-rc3",
  commit: "6e6de3dee51a",
  addUnformed: (k, req) =>
    k.addUnformed(req, (old) => (!old ? "leader" : old.state === "LIVE" ? "EEXIST" : "sleep")),
};
