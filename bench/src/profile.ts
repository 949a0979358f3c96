/** What a run measures: the full profile (published results) or `--quick` (development, < 3 min). */
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export interface Profile {
  name: 'full' | 'quick';
  /** Measured runs per figure, after one discarded warm-up. */
  runs: number;
  /** Scenario 1: the large upload and download. */
  transferBytes: number;
  /** Scenario 2: each upload's size, and how many at once. */
  rssUploadBytes: number;
  rssConcurrency: number;
  /** Scenario 3 and 4: seconds of wrk load per run. */
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
}

export const FULL: Profile = {
  name: 'full',
  runs: 5,
  transferBytes: GiB,
  rssUploadBytes: 500_000_000,
  rssConcurrency: 16,
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
};

export const QUICK: Profile = {
  name: 'quick',
  runs: 3,
  transferBytes: 128 * MiB,
  rssUploadBytes: 32_000_000,
  rssConcurrency: 16,
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
};

export function formatBytes(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000} MB`;
  if (n >= KiB && n % KiB === 0) return `${n / KiB} KiB`;
  return `${n} B`;
}
