/** Notebook 00's table of the load policies, read from the policy registry (one file per policy). */
import { policies } from "../../1-model/policies";

export function policyRows() {
  return Object.values(policies).map((p) => ({ policy: p.name, kernel: p.kernel, commit: p.commit, behaviour: p.summary }));
}
