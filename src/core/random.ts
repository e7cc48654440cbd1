/**
 * Seeded randomness: one generator per simulated boot, never Math.random.
 * xoshiro128** (32-bit state words, exact in JavaScript integers), seeded by
 * splitmix32 from a seed string so "seed 7, boot 3" is a stable stream.
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number | string) {
    let h = hashString(String(seed));
    const next = () => {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal with the given median and shape sigma (sigma 0 = the median exactly). */
  lognormal(median: number, sigma: number): number {
    return sigma === 0 ? median : median * Math.exp(sigma * this.normal());
  }

  exponential(mean: number): number {
    let u = 0;
    while (u === 0) u = this.uniform();
    return -Math.log(u) * mean;
  }

  /**
   * How many unmarked items come before the first marked one when `marked` (>= 1)
   * and `unmarked` items are put in a uniformly random order:
   * P(G >= g) = prod_{i<g} (unmarked - i) / (marked + unmarked - i).
   * Exact (up to floating-point rounding, as uniform() itself), and cheap whatever
   * the counts: O(min(marked, total / marked)) steps, so at most about sqrt(total),
   * where shuffling the items would cost `total` draws. How many draws it takes
   * depends on the counts only, never on which method a caller walks with.
   */
  firstMarked(marked: number, unmarked: number): number {
    if (!(marked >= 1)) throw new RangeError(`firstMarked needs a marked item (got ${marked})`);
    if (unmarked === 0) return 0;
    const total = marked + unmarked;
    // One marked item: its place is uniform.
    if (marked === 1) return this.int(total);
    if (marked * (marked + 1) * 16 < total + 1) {
      // Few marked: their places are a uniform marked-subset of 0..total-1 (Floyd's
      // algorithm, one draw per marked item); G is its least element. (A Floyd step
      // costs ~16 steps of the loop below.)
      const chosen = new Set<number>();
      let least = total;
      for (let j = total - marked; j < total; j++) {
        const t = this.int(j + 1);
        const v = chosen.has(t) ? j : t;
        chosen.add(v);
        if (v < least) least = v;
      }
      return least;
    }
    // Many marked: invert the survival function with one uniform; the expected
    // number of steps is (total + 1) / (marked + 1).
    const u = this.uniform();
    let g = 0;
    let survive = 1;
    for (;;) {
      const next = (survive * (unmarked - g)) / (total - g);
      if (!(u < next)) return g;
      g++;
      survive = next;
    }
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(a: T[]): T[] {
    this.shuffleFirst(a, a.length);
    return a;
  }

  /**
   * Fisher-Yates of a[0..n), in place: exactly `a[i] <-> a[int(i + 1)]` for i
   * from n - 1 down, with the generator's state held in locals through the loop
   * (a herd of thousands is shuffled per wake-up, so this is a hot loop).
   */
  shuffleFirst<T>(a: { [i: number]: T }, n: number): void {
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    for (let i = n - 1; i > 0; i--) {
      // Two nextU32() steps, as uniform() takes them.
      let r = Math.imul(s1, 5);
      const hiWord = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      r = Math.imul(s1, 5);
      const loWord = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const u = ((hiWord >>> 5) * 67108864 + (loWord >>> 6)) / 9007199254740992;
      const j = Math.floor(u * (i + 1));
      const x = a[i];
      a[i] = a[j];
      a[j] = x;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a 32-bit. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The murmur3 / splitmix32 finaliser: a bijective 32-bit mix. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Counter-based draws: the n-th value of the stream named by `key` is a pure
 * function of (key, n), so many small streams (one per request and cost kind)
 * cost no state and no allocation, and each stream's n-th draw is the same
 * whatever else was drawn before it.
 */
export const counterDraws = {
  /** A stream key from a parent key and a small integer (a kind, an index). */
  key(parent: number, sub: number): number {
    return mix32((parent ^ Math.imul(sub + 1, 0x9e3779b9)) >>> 0);
  },
  /** The n-th uniform in [0, 1) of stream `key`, with 53 random bits. */
  uniform(key: number, n: number): number {
    const a = mix32((key + Math.imul(2 * n + 1, 0x9e3779b9)) >>> 0);
    const b = mix32((a ^ Math.imul(2 * n + 2, 0x85ebca6b) ^ key) >>> 0);
    return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
  },
  /**
   * The n-th standard normal of stream `key` (Box-Muller from uniforms 2n and
   * 2n + 1 of a sibling stream, so a stream's uniforms and normals never share a draw).
   */
  normal(key: number, n: number): number {
    const k = (key ^ 0xa5a5a5a5) >>> 0;
    let u = counterDraws.uniform(k, 2 * n);
    if (u === 0) u = 2 ** -53;
    const v = counterDraws.uniform(k, 2 * n + 1);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  },
};
