/**
 * The arithmetic mean, the one definition (model/run.ts's run summaries, every table,
 * record and figure). Summed left to right from the first value and divided once,
 * which is exactly mathjs's mean (test/stats.test.ts checks both, bit for bit), but
 * without mathjs: the model is loaded by every command, and importing mathjs costs
 * ~70 MB of peak memory that the streaming merge-results has no budget for (58 MB
 * peak without it, 129 MB with). NaN for no values (mathjs throws), so a summary of
 * zero boots reads as missing instead of failing.
 */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let sum = xs[0];
  for (let i = 1; i < xs.length; i++) sum += xs[i];
  return sum / xs.length;
}
