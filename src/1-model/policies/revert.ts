import type { Policy } from "./policy";

/**
 * `revert`: v6.0-rc3 with 6e6de3dee51a reverted (the pre-v5.3 rule). A duplicate
 * of an UNFORMED/COMING module sleeps until it is gone, LIVE or GOING; a GOING or
 * LIVE one gives -EEXIST at once. Sleepers only see GOING if some wake-up (any
 * module's) lands in that window: merging "by accident", as the seed says.
 */
export const revert: Policy = {
  name: "revert",
  summary: "6.0-rc3 - 6e6de3dee51a: -EEXIST once GOING is seen (merges by accident)",
  kernel: "6.0-rc3 - 6e6de3dee51a",
  commit: "(revert)",
  addUnformed: (k, req) =>
    k.addUnformed(req, (old) => {
      if (!old) return "leader";
      return old.state === "UNFORMED" || old.state === "COMING" ? "sleep" : "EEXIST";
    }),
};
