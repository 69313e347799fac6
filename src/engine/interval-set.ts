// Sets of integers as sorted, disjoint, non-adjacent closed intervals: the per-field building block of packet sets.
// Two instances (number for header fields and interface atoms, bigint for addresses) share one implementation.

export type Span<T> = readonly [T, T];
export type Spans<T> = readonly Span<T>[];

export interface IntervalOps<T extends number | bigint> {
  intersect(a: Spans<T>, b: Spans<T>): Spans<T>;
  /** `a` without `b`. */
  subtract(a: Spans<T>, b: Spans<T>): Spans<T>;
  union(a: Spans<T>, b: Spans<T>): Spans<T>;
  /** Sorts and merges arbitrary intervals into the canonical form. */
  normalize(spans: Spans<T>): Spans<T>;
  equal(a: Spans<T>, b: Spans<T>): boolean;
  /** True when every element of `a` is in `b`. */
  within(a: Spans<T>, b: Spans<T>): boolean;
  /** True when `a` and `b` share an element (allocates nothing). */
  overlap(a: Spans<T>, b: Spans<T>): boolean;
}

function makeOps<T extends number | bigint>(succ: (x: T) => T, pred: (x: T) => T): IntervalOps<T> {
  const intersect = (a: Spans<T>, b: Spans<T>): Spans<T> => {
    if (a.length === 0 || b.length === 0) return [];
    if (a.length === 1 && b.length === 1) {
      const lo = a[0]![0] > b[0]![0] ? a[0]![0] : b[0]![0];
      const hi = a[0]![1] < b[0]![1] ? a[0]![1] : b[0]![1];
      return lo <= hi ? (lo === a[0]![0] && hi === a[0]![1] ? a : [[lo, hi]]) : [];
    }
    const out: Span<T>[] = [];
    // One interval against many (an address range against a set with many holes): start where it can first meet.
    let i = b.length === 1 ? firstReaching(a, b[0]![0]) : 0;
    let j = a.length === 1 ? firstReaching(b, a[0]![0]) : 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!;
      const y = b[j]!;
      const lo = x[0] > y[0] ? x[0] : y[0];
      const hi = x[1] < y[1] ? x[1] : y[1];
      if (lo <= hi) out.push([lo, hi]);
      if (x[1] < y[1]) i++;
      else j++;
    }
    return out;
  };

  const subtract = (a: Spans<T>, b: Spans<T>): Spans<T> => {
    if (a.length === 0 || b.length === 0) return a;
    if (b.length === 1 && a.length > 8) return subtractOne(a, b[0]!);
    const out: Span<T>[] = [];
    let j = 0;
    for (const x of a) {
      let lo = x[0];
      const hi = x[1];
      let open = true;
      while (j < b.length && b[j]![1] < lo) j++;
      let k = j;
      while (k < b.length && b[k]![0] <= hi) {
        const y = b[k]!;
        if (y[0] > lo) out.push([lo, pred(y[0])]);
        if (y[1] >= hi) {
          open = false;
          break;
        }
        lo = succ(y[1]);
        k++;
      }
      // An interval nothing was taken from stays the same object (sets with many holes are copied often).
      if (open) out.push(lo === x[0] ? x : [lo, hi]);
    }
    return out;
  };

  /** `a` without one interval: the untouched intervals before and after are copied in bulk (sets with many holes). */
  const subtractOne = (a: Spans<T>, [lo, hi]: Span<T>): Spans<T> => {
    const first = firstReaching(a, lo);
    let end = first;
    while (end < a.length && a[end]![0] <= hi) end++;
    if (end === first) return a.slice();
    const pieces: Span<T>[] = [];
    if (a[first]![0] < lo) pieces.push([a[first]![0], pred(lo)]);
    if (a[end - 1]![1] > hi) pieces.push([succ(hi), a[end - 1]![1]]);
    return a.slice(0, first).concat(pieces, a.slice(end));
  };

  const normalize = (spans: Spans<T>): Spans<T> => {
    if (spans.length <= 1) return spans;
    const sorted = [...spans].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    const out: Span<T>[] = [];
    let [lo, hi] = sorted[0]!;
    for (let i = 1; i < sorted.length; i++) {
      const [l, h] = sorted[i]!;
      if (l <= succ(hi)) {
        if (h > hi) hi = h;
      } else {
        out.push([lo, hi]);
        lo = l;
        hi = h;
      }
    }
    out.push([lo, hi]);
    return out;
  };

  const union = (a: Spans<T>, b: Spans<T>): Spans<T> => (a.length === 0 ? b : b.length === 0 ? a : normalize([...a, ...b]));

  const equal = (a: Spans<T>, b: Spans<T>): boolean => {
    if (a === b) return true;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
    return true;
  };

  const within = (a: Spans<T>, b: Spans<T>): boolean => subtract(a, b).length === 0;

  const overlap = (a: Spans<T>, b: Spans<T>): boolean => {
    let i = b.length === 1 ? firstReaching(a, b[0]![0]) : 0;
    let j = a.length === 1 ? firstReaching(b, a[0]![0]) : 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!;
      const y = b[j]!;
      if (x[1] < y[0]) i++;
      else if (y[1] < x[0]) j++;
      else return true;
    }
    return false;
  };

  return { intersect, subtract, union, normalize, equal, within, overlap };
}

/** Index of the first interval of `spans` that reaches `value` (its upper end is at least `value`); binary search. */
function firstReaching<T extends number | bigint>(spans: Spans<T>, value: T): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid]![1] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const numberSpans: IntervalOps<number> = makeOps<number>(
  (x) => x + 1,
  (x) => x - 1,
);
export const bigintSpans: IntervalOps<bigint> = makeOps<bigint>(
  (x) => x + 1n,
  (x) => x - 1n,
);
