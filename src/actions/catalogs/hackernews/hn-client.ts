// The three Hacker News origins the catalog reads, and the JSON fetching all its actions share.
import { ExecutionError, type HttpClient } from '../../../runtime/index.js';
import { type HnItem, parseItem } from './item-parse.js';

/** news.ycombinator.com: only links point here; the data comes from the two APIs below. */
export const HN_ORIGIN = 'https://news.ycombinator.com';
/** The official API (Firebase): lists and items, no key, no documented rate limit. */
export const FIREBASE_ORIGIN = 'https://hacker-news.firebaseio.com';
/** Algolia's HN search API. */
export const ALGOLIA_ORIGIN = 'https://hn.algolia.com';

/** Requests in flight at once per job: HN's API is fast, but one job must not flood it. */
export const FETCH_CONCURRENCY = 8;

export const hnItemUrl = (id: number): string => `${HN_ORIGIN}/item?id=${id}`;

/**
 * GETs a JSON document. 429 and 5xx never get here (the HTTP client raises BlockedError and
 * TransientError); any other non-200 fails the job, quoting the API's own message if it sent one.
 */
export async function getJson(http: HttpClient, url: string): Promise<unknown> {
  const res = await http.get(url, { headers: { accept: 'application/json' } });
  const host = new URL(url).host;
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = undefined;
  }
  if (res.status !== 200) {
    // Algolia explains itself in `message`, Firebase in `error`.
    const { message, error } = (typeof body === 'object' && body !== null ? body : {}) as {
      message?: unknown;
      error?: unknown;
    };
    const said = typeof message === 'string' ? message : typeof error === 'string' ? error : '';
    throw new ExecutionError(`${host} answered HTTP ${res.status}${said ? `: ${said}` : ''}.`);
  }
  if (body === undefined) throw new ExecutionError(`${host} did not answer JSON.`);
  return body;
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order.
 * After the first failure no new call starts, and that failure is what rejects.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Fetches items by id, FETCH_CONCURRENCY at a time; ids the API does not know are undefined. */
export function fetchItems(
  http: HttpClient,
  ids: readonly number[],
): Promise<Array<HnItem | undefined>> {
  return mapBounded(ids, FETCH_CONCURRENCY, async (id) =>
    parseItem(await getJson(http, `${FIREBASE_ORIGIN}/v0/item/${id}.json`), id),
  );
}
