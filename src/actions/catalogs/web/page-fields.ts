// What web_extract reads out of a page: named fields picked by CSS selectors, and the JSON-LD
// objects of one schema.org type wherever they are nested.
import { type CheerioAPI, load } from 'cheerio';

/** One field to extract: the matches of `selector`, their text or one attribute. */
export interface FieldSpec {
  selector: string;
  /** Attribute to read instead of the text content, e.g. `href` or `content`. */
  attribute?: string;
  /** Every match's value as a list, rather than the first one. */
  all?: boolean;
}

/** A field as given in params: a spec, or a bare selector as shorthand for `{selector}`. */
export type FieldInput = string | FieldSpec;

/** A field's value: the first value, every value (`all`), or null when nothing matched. */
export type FieldValue = string | string[] | null;

/** Bounds that keep a hostile or huge page from inflating the result. */
const MAX_VALUE_CHARS = 10_000;
const MAX_VALUES = 1_000;
const MAX_JSON_LD_OBJECTS = 100;
const MAX_JSON_LD_DEPTH = 32;

/** Attributes holding URLs; their values are made absolute like a browser's `a.href`. */
const URL_ATTRIBUTES = new Set(['href', 'src']);

/** An empty document to compile selectors against: compiling is what finds syntax errors. */
const probe = load('<p></p>');

export function specOf(input: FieldInput): FieldSpec {
  return typeof input === 'string' ? { selector: input } : input;
}

/** Why cheerio cannot use `selector` (quoting it), or undefined when it can. */
export function selectorProblem(selector: string): string | undefined {
  try {
    probe.root().find(selector);
    return undefined;
  } catch (err) {
    const reason = err instanceof Error ? err.message.trim() : String(err);
    return `'${selector.slice(0, 200)}' is not a valid CSS selector (${reason})`;
  }
}

/** Reads one field; values that come out empty are skipped, so `null` means "none found". */
export function readField($: CheerioAPI, spec: FieldSpec, baseUrl: string): FieldValue {
  const values: string[] = [];
  for (const el of $.root().find(spec.selector).toArray()) {
    const node = $(el);
    const value =
      spec.attribute === undefined
        ? clean(node.text())
        : attributeValue(node.attr(spec.attribute), spec.attribute, baseUrl);
    if (value === '') continue;
    values.push(value);
    if (!spec.all || values.length >= MAX_VALUES) break;
  }
  return spec.all ? values : (values[0] ?? null);
}

function attributeValue(raw: string | undefined, name: string, baseUrl: string): string {
  const value = raw?.trim() ?? '';
  if (value !== '' && URL_ATTRIBUTES.has(name.toLowerCase())) {
    try {
      return new URL(value, baseUrl).href.slice(0, MAX_VALUE_CHARS);
    } catch {
      // Not resolvable (e.g. "http://["): report it as the page has it.
    }
  }
  return clean(value);
}

function clean(value: string): string {
  return value.replace(/\s+/g, ' ').trim().slice(0, MAX_VALUE_CHARS);
}

/**
 * Every object whose `@type` is `type`, searched depth-first through the page's blocks,
 * `@graph` arrays and nested values (a Product's `offers`, a WebPage's `mainEntity`). Types
 * match by local name, case-insensitively: "Product" finds "Product", "schema:Product" and
 * "https://schema.org/Product", and `@type` may be a list.
 */
export function jsonLdOfType(
  blocks: readonly Record<string, unknown>[],
  type: string,
): Array<Record<string, unknown>> {
  const wanted = localName(type);
  const found: Array<Record<string, unknown>> = [];
  const visit = (node: unknown, depth: number): void => {
    if (found.length >= MAX_JSON_LD_OBJECTS || depth > MAX_JSON_LD_DEPTH) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const object = node as Record<string, unknown>;
    const types = ([] as unknown[]).concat(object['@type'] ?? []);
    if (types.some((t) => typeof t === 'string' && localName(t) === wanted)) found.push(object);
    // Matches keep being searched too: a ProductGroup's variants are Products themselves.
    for (const value of Object.values(object)) visit(value, depth + 1);
  };
  for (const block of blocks) visit(block, 0);
  return found;
}

/** "https://schema.org/Product" → "product". */
function localName(type: string): string {
  return (type.trim().split(/[/#:]/).pop() ?? '').toLowerCase();
}
