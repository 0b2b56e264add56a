/** One benchmark's figures, each measured against a baseline from the same run where one applies. */
export interface BenchMetric {
  metric: string;
  value: number;
  unit: string;
  /** The same quantity for the baseline, measured in the same run. */
  baseline?: number;
  /** value / baseline, or baseline / value when lower is better (stated in `note`). */
  ratio?: number;
  /** The target, as text (e.g. ">= 0.6 x baseline"). */
  target?: string;
  pass?: boolean;
  note?: string;
}

export interface BenchReport {
  name: string;
  metrics: BenchMetric[];
}

/** Bench scripts print their report as the last stdout line, prefixed so the runner can find it. */
export const REPORT_PREFIX = 'BENCH_REPORT ';

export function emit(report: BenchReport): void {
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(report)}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)]!;
}
