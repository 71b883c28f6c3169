// The API key lives in sessionStorage only: it is gone when the tab closes, and never
// written to localStorage, a cookie or the URL.
const KEY = 'taskwire.key';

export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    // Storage disabled (a privacy mode): the person signs in again on each load.
    return undefined;
  }
}

export function storeKey(key: string | undefined): void {
  try {
    if (key === undefined) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, key);
  } catch {
    // Nothing to do: the key then lasts as long as the page.
  }
}
