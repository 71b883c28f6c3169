// Fetching HTML for the web actions that read a page's markup: which answers are a page to read
// and which fail the job. Blocks (a 429, a CAPTCHA or challenge wall served in place of the
// page) never get here: the runtime's HTTP client throws BlockedError for them itself.
import { STATUS_CODES } from 'node:http';

import { ExecutionError, type HttpClient, type HttpResponse } from '../../../runtime/index.js';

/** Content types parsed as HTML; anything else is refused rather than guessed at. */
const HTML_TYPES = /^\s*(text\/html|application\/xhtml\+xml)\b/i;
/** Markup at the start of a body with no content type, sniffed the way a browser would. */
const HTML_START = /^\s*(<!doctype html|<html|<head|<body)/i;

/** True when the answer is an HTML document (by content type, else by sniffing). */
export function isHtml(res: HttpResponse): boolean {
  const contentType = res.headers['content-type'];
  return contentType ? HTML_TYPES.test(contentType) : HTML_START.test(res.text);
}

/** "404 Not Found", for messages. */
function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown status'}`;
}

/**
 * Fetches one page that must be HTML: any non-2xx answer or a non-HTML body fails the job
 * (not retried), quoting the status or the content type.
 */
export async function fetchHtmlPage(http: HttpClient, url: string): Promise<HttpResponse> {
  const res = await http.get(url);
  if (res.status < 200 || res.status >= 300) {
    throw new ExecutionError(`${res.url} answered ${statusText(res.status)}.`);
  }
  if (!isHtml(res)) {
    const contentType = res.headers['content-type'] ?? 'missing';
    throw new ExecutionError(`${res.url} is not an HTML page (content-type ${contentType}).`);
  }
  return res;
}
