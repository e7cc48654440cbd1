/** The policy registry. Adding a policy: write policies/NAME.ts exporting a Policy, add it here. */
import { checkKeyword } from "../../core/errors";
import { base } from "./base";
import { idempotent } from "./idempotent";
import { merge } from "./merge";
import { noWaitGoing } from "./noWaitGoing";
import type { Policy } from "./policy";
import { revert } from "./revert";

export type { Policy } from "./policy";

/** In the order tables show them: the seed's three configurations first. */
export const policies: Record<string, Policy> = {
  base,
  revert,
  merge,
  "no-wait-going": noWaitGoing,
  idempotent,
};

export const policyNames = Object.keys(policies);

export function getPolicy(name: string): Policy {
  return policies[checkKeyword("policy", name, policyNames)];
}
