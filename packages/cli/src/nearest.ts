/** "Did you mean …?" for a mistyped command or option. */
import leven from 'leven';

/**
 * The candidate closest to `typed` by edit distance (Levenshtein), if it is close enough to be a
 * typo: at most 2 edits, and fewer than half of the typed word. A typed prefix of a candidate
 * (`down` for `download`) counts as close.
 */
export function nearest(typed: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = typed.length >= 2 && candidate.startsWith(typed) ? 0.5 : leven(typed, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.min(2, Math.max(1, Math.floor(typed.length / 2))) ? best : undefined;
}
