/**
 * Paired runs against a baseline, for a shared machine where the baseline's own rate drifts by a third within
 * minutes: the baseline is measured right before each run (and right after it too when `after` is given), each
 * pair gives one ratio, and the figure is the median of those, so that a burst of other load moves one pair
 * rather than the result. One helper for every bench that reports a ratio to a baseline.
 */

export interface PairPlan<P, B, R> {
  /** How many pairs; the median of an odd number is one pair's own ratio. */
  pairs: number;
  /** Unmeasured set-up of each pair (e.g. recording a backlog), done before its baseline. */
  prepare?: (pair: number) => Promise<P>;
  baseline: (pair: number) => Promise<B>;
  run: (prepared: P, pair: number) => Promise<R>;
  /** When given, the baseline is measured again right after each run, and the pair's is after(before, after). */
  after?: (before: B, after: B) => B;
  /** The pair's ratio, higher is better (run rate ÷ baseline rate). */
  ratio: (run: R, baseline: B) => number;
}

export interface Pair<B, R> {
  baseline: B;
  run: R;
  ratio: number;
}

export interface PairedResult<B, R> {
  /** In the order they ran. */
  pairs: Pair<B, R>[];
  /** The median of the pairs' ratios. */
  ratio: number;
}

export async function runPaired<P, B, R>(plan: PairPlan<P, B, R>): Promise<PairedResult<B, R>> {
  const pairs: Pair<B, R>[] = [];
  for (let i = 0; i < plan.pairs; i++) {
    const prepared = (await plan.prepare?.(i)) as P;
    const before = await plan.baseline(i);
    const run = await plan.run(prepared, i);
    const baseline = plan.after ? plan.after(before, await plan.baseline(i)) : before;
    pairs.push({ baseline, run, ratio: plan.ratio(run, baseline) });
  }
  return { pairs, ratio: median(pairs.map((p) => p.ratio)) };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}
