/**
 * Minimum, maximum and append over arrays of any length. `Math.max(...xs)` and
 * `out.push(...xs)` pass every element as a call argument, on the stack: past
 * ~100k elements (a 16384-CPU boot's requests, a long run's boots) they throw
 * `RangeError: Maximum call stack size exceeded`. These loop instead.
 */

/** The largest of `xs` as Math.max would give it (NaN if any is NaN), or `empty` when there are none (Math.max() of nothing is -Infinity). */
export function maxOf(xs: Iterable<number>, empty = -Infinity): number {
  let m = -Infinity;
  let any = false;
  for (const x of xs) {
    any = true;
    m = Math.max(m, x);
  }
  return any ? m : empty;
}

/** The smallest of `xs` as Math.min would give it, or `empty` when there are none. */
export function minOf(xs: Iterable<number>, empty = Infinity): number {
  let m = Infinity;
  let any = false;
  for (const x of xs) {
    any = true;
    m = Math.min(m, x);
  }
  return any ? m : empty;
}

/** Append every element of `xs` to `out` (push(...xs) without the argument limit); `out`. */
export function pushAll<T>(out: T[], xs: Iterable<T>): T[] {
  for (const x of xs) out.push(x);
  return out;
}
