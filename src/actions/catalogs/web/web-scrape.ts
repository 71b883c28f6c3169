// web_scrape: fetches any public web page and returns its metadata, structure and main text.
import { STATUS_CODES } from 'node:http';

import { Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { extractPage } from './html-extract.js';

/** Content types parsed as HTML; anything else is refused rather than guessed at. */
const HTML_TYPES = /^\s*(text\/html|application\/xhtml\+xml)\b/i;

const optionalText = (description: string) => Type.Optional(Type.String({ description }));

/** Scrapes one page anonymously, as a browser would see it before running scripts. */
export const webScrape = defineAction({
  id: 'web_scrape',
  name: 'Scrape a web page',
  description:
    'Fetches a public web page and returns its title, description, canonical URL, language, headings, main article text, links, OpenGraph tags and JSON-LD data.',
  tags: ['web', 'scrape', 'html', 'metadata', 'text', 'links'],
  authMode: 'none',
  credits: 1,
  type: 'read',
  mode: 'async',
  params: Type.Object(
    {
      url: Type.String({
        maxLength: 2048,
        description: 'The page to fetch, an http or https URL, e.g. https://example.com/blog/post',
      }),
      max_links: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 1000,
          default: 100,
          description: 'How many links to return at most (0 for none).',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({
    url: Type.String({ description: 'The final URL, after redirects.' }),
    status_code: Type.Integer(),
    title: optionalText('The <title>, else og:title, else the first h1.'),
    description: optionalText('The meta description, else og:description.'),
    canonical_url: optionalText('The rel=canonical URL, made absolute.'),
    language: optionalText('The <html lang> value, e.g. en-GB.'),
    headings: Type.Array(Type.Object({ level: Type.Integer(), text: Type.String() })),
    text: Type.String({ description: 'The main text; paragraphs separated by blank lines.' }),
    links: Type.Array(Type.Object({ url: Type.String(), text: Type.String() })),
    open_graph: Type.Record(Type.String(), Type.String(), {
      description: 'og:* properties keyed without the og: prefix.',
    }),
    json_ld: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    word_count: Type.Integer(),
  }),
  targets: (params) => [{ path: '/url', url: params.url }],
  async run(ctx) {
    const { url } = ctx.params;
    ctx.log('Fetching page', { url });
    const res = await ctx.http.get(url);

    if (res.status < 200 || res.status >= 300) {
      const reason = STATUS_CODES[res.status] ?? 'Unknown status';
      throw new ExecutionError(`${res.url} answered ${res.status} ${reason}.`);
    }
    const contentType = res.headers['content-type'];
    // Without a content type, sniff like a browser would: markup at the start means HTML.
    const looksHtml = contentType
      ? HTML_TYPES.test(contentType)
      : /^\s*(<!doctype html|<html|<head|<body)/i.test(res.text);
    if (!looksHtml) {
      throw new ExecutionError(
        `${res.url} is not an HTML page (content-type ${contentType ?? 'missing'}).`,
      );
    }

    // Parsing is synchronous; stop here if the job was cancelled while the body arrived.
    ctx.signal.throwIfAborted();
    const page = extractPage(res.text, res.url, { maxLinks: ctx.params.max_links ?? 100 });
    ctx.log('Extracted page', {
      status: res.status,
      words: page.word_count,
      links: page.links.length,
      redirects: res.redirects.length,
    });
    return { url: res.url, status_code: res.status, ...page };
  },
});
