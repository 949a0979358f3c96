/** Summaries of repeated measurements: the median is the figure, min and max show the spread. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarise');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, samples: [...samples] };
}

/**
 * A distribution-free confidence interval for the median of the population the samples come from:
 * [x(k), x(n+1-k)] of the sorted samples, which holds the median unless at most k-1 samples fall
 * on one side of it, so its confidence is 1 - 2 P(B <= k-1) for B ~ Binomial(n, 1/2) (the sign
 * test's interval; e.g. Hollander, Wolfe and Chicken, "Nonparametric Statistical Methods", 3rd ed.,
 * section 3.6). The narrowest such interval whose confidence is at least `confidence`; with fewer
 * than 6 samples none reaches 95 %, and it is the full range (confidence 1 - 2^(1-n): 94 % of 5).
 */
export function medianInterval(samples: readonly number[], confidence = 0.95): { low: number; high: number; confidence: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) throw new Error('no samples');
  // below[j] = P(B <= j), built from the probabilities of B = i (each 2^-n C(n, i)).
  let p = 2 ** -n;
  let cumulative = 0;
  let k = 1;
  let reached = 1 - 2 * p;
  for (let i = 0; i < Math.floor((n - 1) / 2); i++) {
    cumulative += p;
    p = (p * (n - i)) / (i + 1);
    const coverage = 1 - 2 * (cumulative + p);
    // The interval from the (i+2)-th smallest to the (i+2)-th largest.
    if (coverage < confidence) break;
    k = i + 2;
    reached = coverage;
  }
  return { low: sorted[k - 1] ?? Number.NaN, high: sorted[n - k] ?? Number.NaN, confidence: reached };
}

/** Runs `once` warm-up + `runs` times and summarises the measured runs (the warm-up is discarded). */
export async function repeat(runs: number, once: (run: number) => Promise<number>): Promise<Summary> {
  await once(-1);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once(i));
  return summarize(samples);
}

/** Nearest-rank percentile of raw samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
