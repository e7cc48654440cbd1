/** One colour per policy, everywhere (colour-blind-safe Okabe-Ito). */
export const policyColors: Record<string, string> = {
  base: "#D55E00",
  revert: "#E69F00",
  merge: "#0072B2",
  "no-wait-going": "#009E73",
  idempotent: "#CC79A7",
};

export function colorOf(policy: string): string {
  return policyColors[policy] ?? "#555555";
}
