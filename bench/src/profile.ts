/** What a run measures: the full profile (published results) or `--quick` (development, < 3 min). */
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export interface Profile {
  name: 'full' | 'quick';
  /** Measured runs per figure, after one discarded warm-up. */
  runs: number;
  /**
   * Measured runs of the peak-RSS figures (scenarios 2 and 8), after one discarded warm-up. Fewer
   * than `runs`: peak RSS varies by ~1 % between runs (5 runs in the 2026-11-24 full profile:
   * 126.6-127.9 MB and 110.7-111.3 MB), and these runs write the most data of the whole benchmark
   * (16 x 500 MB, 4 x 2 GiB twice over).
   */
  memoryRuns: number;
  /** Scenario 1: the large upload and download. */
  transferBytes: number;
  /** Scenario 2: each upload's size, and how many at once. */
  rssUploadBytes: number;
  rssConcurrency: number;
  /**
   * Scenario 3: seconds of wrk load per run. 5 s is 15,000+ uploads and 90,000+ GETs per run: the
   * 10 s runs of the 2026-11-24 full profile varied by 8-10 % between runs, so longer runs buy
   * nothing the median of five does not.
   */
  smallWrkSeconds: number;
  /** Scenario 4: seconds of wrk load per run (a p99 needs more samples than a rate). */
  wrkSeconds: number;
  /** Scenario 4: files in the small and the large workspace. */
  scaleSmall: number;
  scaleLarge: number;
  /** Scenario 5: upload sizes, and how many 1 KiB uploads one run times. */
  sdkSizes: number[];
  smallUploadCount: number;
  /** Scenario 7: sequential requests per latency sample, streams per first-event sample, and the PDF each of 16 concurrent requests inlines. */
  gatewayRequests: number;
  gatewayStreams: number;
  gatewayPdfBytes: number;
  /** Scenario 8: the size of a resumable upload, and how many run at once for the memory figure. */
  uploadsBytes: number;
  uploadsConcurrency: number;
  /**
   * Scenarios 9-11 (peers, instances): the large transfer, and seconds of wrk load per run (the
   * warm-up run: `warmupWrkSeconds`).
   */
  peerTransferBytes: number;
  peerWrkSeconds: number;
  warmupWrkSeconds: number;
}

export const FULL: Profile = {
  name: 'full',
  runs: 5,
  memoryRuns: 3,
  transferBytes: GiB,
  rssUploadBytes: 500_000_000,
  rssConcurrency: 16,
  smallWrkSeconds: 5,
  wrkSeconds: 10,
  scaleSmall: 1_000,
  scaleLarge: 1_000_000,
  sdkSizes: [KiB, 100_000_000, GiB],
  smallUploadCount: 200,
  gatewayRequests: 2000,
  gatewayStreams: 200,
  gatewayPdfBytes: 20_000_000,
  uploadsBytes: 2 * GiB,
  uploadsConcurrency: 4,
  peerTransferBytes: GiB,
  peerWrkSeconds: 5,
  warmupWrkSeconds: 3,
};

export const QUICK: Profile = {
  name: 'quick',
  runs: 3,
  memoryRuns: 3,
  transferBytes: 128 * MiB,
  rssUploadBytes: 32_000_000,
  rssConcurrency: 16,
  smallWrkSeconds: 2,
  wrkSeconds: 2,
  scaleSmall: 1_000,
  scaleLarge: 100_000,
  sdkSizes: [KiB, 10_000_000, 128 * MiB],
  smallUploadCount: 100,
  gatewayRequests: 400,
  gatewayStreams: 50,
  gatewayPdfBytes: 20_000_000,
  uploadsBytes: 256 * MiB,
  uploadsConcurrency: 4,
  peerTransferBytes: 32 * MiB,
  // Not 1 s: wrk counts only the requests that complete before it stops, and on a loaded machine a
  // 1 KiB upload through PostgreSQL + RGW can take longer than that (a 1 s run then counts none).
  peerWrkSeconds: 3,
  warmupWrkSeconds: 2,
};

export function formatBytes(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000} MB`;
  if (n >= KiB && n % KiB === 0) return `${n / KiB} KiB`;
  return `${n} B`;
}
