// web_extract: fetches one public page and returns the fields the caller names by CSS selector,
// and/or the page's JSON-LD objects of one schema.org type.
import { load } from 'cheerio';
import { Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { documentBase, jsonLd } from './html-extract.js';
import {
  type FieldInput,
  type FieldValue,
  jsonLdOfType,
  readField,
  selectorProblem,
  specOf,
} from './page-fields.js';
import { fetchHtmlPage } from './web-fetch.js';

const Selector = Type.String({
  minLength: 1,
  maxLength: 1000,
  pattern: '\\S',
  description: 'A CSS selector, e.g. "h1.title" or "meta[property=\'og:price:amount\']".',
});

/** One field: a bare selector, or the selector with what to read and how many. */
const Field = Type.Refine(
  Type.Union([
    Selector,
    Type.Object(
      {
        selector: Selector,
        attribute: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 100,
            description:
              'Read this attribute instead of the text content, e.g. "content" or "href" (href and src come back absolute).',
          }),
        ),
        all: Type.Optional(
          Type.Boolean({ description: 'Every match as a list, instead of the first match.' }),
        ),
      },
      { additionalProperties: false },
    ),
  ]),
  // Checked at submit, so a typo is a 400 that costs nothing rather than a failed job.
  (field) => invalidSelector(field) === undefined,
  (field) => invalidSelector(field) ?? 'invalid field',
);

function invalidSelector(field: unknown): string | undefined {
  const selector =
    typeof field === 'string' ? field : (field as { selector?: unknown } | null)?.selector;
  return typeof selector === 'string' ? selectorProblem(selector) : undefined;
}

const params = Type.Refine(
  Type.Object(
    {
      url: Type.String({
        maxLength: 2048,
        description: 'The page to fetch, an http or https URL, e.g. https://shop.example/p/42',
      }),
      fields: Type.Optional(
        Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Field, {
          minProperties: 1,
          maxProperties: 50,
          description:
            'Field name → CSS selector, or {selector, attribute?, all?}. E.g. {"title": "h1", "images": {"selector": "img.gallery", "attribute": "src", "all": true}}.',
        }),
      ),
      json_ld_type: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 200,
          pattern: '\\S',
          description:
            'Return every JSON-LD object of this schema.org @type, e.g. "Product", searching @graph and nested objects.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  (p) => p.fields !== undefined || p.json_ld_type !== undefined,
  () => 'give fields, json_ld_type, or both',
);

const output = Type.Object({
  url: Type.String({ description: 'The URL as requested.' }),
  final_url: Type.String({ description: 'The URL the page was read from, after redirects.' }),
  fields: Type.Optional(
    Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()]),
      {
        description:
          'Each requested field: the first non-empty value (null when none), or with `all` every non-empty value (possibly []). Present when `fields` was given.',
      },
    ),
  ),
  json_ld: Type.Optional(
    Type.Array(Type.Record(Type.String(), Type.Unknown()), {
      description:
        'The JSON-LD objects of `json_ld_type`, in document order. Present when `json_ld_type` was given.',
    }),
  ),
});

/** Extracts named values from one page anonymously, as fetched, before any script runs. */
export const webExtract = defineAction({
  id: 'web_extract',
  name: 'Extract fields from a web page',
  description:
    'Fetches a public web page and returns the values of the CSS selectors you name (text or an attribute, first match or all), and/or its JSON-LD objects of one schema.org type such as Product.',
  tags: ['web', 'extract', 'css', 'selector', 'json-ld', 'structured data', 'html'],
  authMode: 'none',
  credits: 1,
  type: 'read',
  mode: 'async',
  params,
  output,
  targets: (p) => [{ path: '/url', url: p.url }],
  async run(ctx) {
    const { url, fields, json_ld_type } = ctx.params;
    // Params normally passed the schema at submit; a bad selector must still name its field.
    const specs = Object.entries(fields ?? {}).map(([name, input]: [string, FieldInput]) => {
      const spec = specOf(input);
      const problem = selectorProblem(spec.selector);
      if (problem) throw new ExecutionError(`Field '${name}': ${problem}.`);
      return [name, spec] as const;
    });

    ctx.log('Fetching page', { url });
    const res = await fetchHtmlPage(ctx.http, url);
    // Parsing is synchronous; stop here if the job was cancelled while the body arrived.
    ctx.signal.throwIfAborted();
    const $ = load(res.text);
    const base = documentBase($, res.url);

    const result: {
      url: string;
      final_url: string;
      fields?: Record<string, FieldValue>;
      json_ld?: Array<Record<string, unknown>>;
    } = { url, final_url: res.url };
    if (fields !== undefined) {
      // fromEntries defines own keys, so a field named "__proto__" stays an ordinary field.
      result.fields = Object.fromEntries(specs.map(([name, s]) => [name, readField($, s, base)]));
    }
    if (json_ld_type !== undefined) result.json_ld = jsonLdOfType(jsonLd($), json_ld_type);

    const values = Object.values(result.fields ?? {});
    ctx.log('Extracted fields', {
      fields: values.length,
      empty: values.filter((v) => v === null || (Array.isArray(v) && v.length === 0)).length,
      json_ld: result.json_ld?.length,
    });
    return result;
  },
});
