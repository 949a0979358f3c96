/**
 * Where the signed-in key lives: this tab's sessionStorage, gone when the tab closes and never sent
 * anywhere by the browser on its own (a cookie would be; docs/console.md "The key").
 */
const KEY = 'cabinet.console.apiKey';

export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function clearKey(): void {
  sessionStorage.removeItem(KEY);
}
