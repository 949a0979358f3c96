/** Shortens client-supplied text before it is quoted in an error message or a log line. */
export function truncate(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
