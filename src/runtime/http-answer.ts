// Reads one hop's response: the statuses that are errors (429 blocked, 5xx transient), block
// walls served in place of the page, the back-off a site asks for, and the body under its cap.
import type { Dispatcher } from 'undici';

import { detectBlockPage } from './block-page.js';
import { BlockedError, TransientError } from './errors.js';
import { decodeText, readBody } from './http-body.js';
import { parseRetryAfter } from './http-failure.js';
import type { HttpResponse } from './http.types.js';
import type { Pacer } from './pacer.js';

/** How long every job leaves a site alone after a 429 that names no Retry-After. */
export const DEFAULT_429_BACKOFF_MS = 5_000;
/** Block walls are small: a 503 body is read this far to look for one, no further. */
const WALL_SCAN_BYTES = 512 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface AnswerContext {
  /** The real URL of this hop. */
  url: URL;
  followRedirects: boolean;
  detectBlocks: boolean;
  maxBytes: number;
  pacer: Pick<Pacer, 'backOff'> | undefined;
}

/** The response (without `redirects`), and the Location to follow when it is a redirect. */
export interface Answer {
  res: HttpResponse;
  location?: string;
}

export async function readAnswer(
  res: Dispatcher.ResponseData,
  ctx: AnswerContext,
): Promise<Answer> {
  const { url } = ctx;
  const status = res.statusCode;
  const location = header(res.headers, 'location');
  const contentType = header(res.headers, 'content-type');
  const encoding = header(res.headers, 'content-encoding');
  if (REDIRECT_STATUSES.has(status) && location && ctx.followRedirects) {
    await res.body.dump();
    return { res: response(url, status, res, ''), location };
  }

  const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'));
  // The site asked every client to slow down, so every job's next request to it waits.
  if (status === 429) ctx.pacer?.backOff(url.host, retryAfterMs ?? DEFAULT_429_BACKOFF_MS);
  else if (status === 503 && retryAfterMs !== undefined) ctx.pacer?.backOff(url.host, retryAfterMs);

  if (status === 429) {
    await res.body.dump();
    throw new BlockedError(`${url.host} answered 429 Too Many Requests.`, retryAfterMs);
  }
  // Only real 5xx: non-standard codes (LinkedIn's 999) are left to the action.
  if (status >= 500 && status <= 599) {
    const wall =
      status === 503 && ctx.detectBlocks
        ? await scanForWall(res, contentType, encoding, url.href)
        : (await res.body.dump(), undefined);
    if (wall) throw blocked(url, wall, status, retryAfterMs);
    throw new TransientError(`${url.host} answered ${status}.`, retryAfterMs, status);
  }

  const bytes = await readBody(res.body, encoding, ctx.maxBytes, url.href);
  const text = decodeText(bytes, contentType);
  const wall = ctx.detectBlocks ? detectBlockPage({ status, contentType, text }) : undefined;
  if (wall) throw blocked(url, wall, status, retryAfterMs);
  return { res: response(url, status, res, text) };
}

/** A wall served in place of the page: retry later, the login stays active. */
function blocked(url: URL, wall: string, status: number, retryAfterMs?: number): BlockedError {
  return new BlockedError(
    `${url.host} answered with ${wall} instead of the page (HTTP ${status}).`,
    retryAfterMs,
  );
}

/** Reads the start of an HTML error body to look for a wall; any failure means "no wall". */
async function scanForWall(
  res: Dispatcher.ResponseData,
  contentType: string | undefined,
  encoding: string | undefined,
  href: string,
): Promise<string | undefined> {
  if (!/\btext\/html\b/i.test(contentType ?? '')) {
    await res.body.dump();
    return undefined;
  }
  try {
    const bytes = await readBody(res.body, encoding, WALL_SCAN_BYTES, href);
    return detectBlockPage({ status: 503, contentType, text: decodeText(bytes, contentType) });
  } catch {
    return undefined;
  }
}

function response(
  url: URL,
  status: number,
  res: Dispatcher.ResponseData,
  text: string,
): HttpResponse {
  return { status, url: url.href, headers: flattenHeaders(res.headers), text, redirects: [] };
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
