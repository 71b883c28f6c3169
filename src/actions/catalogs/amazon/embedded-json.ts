// Reads the JSON literals Amazon embeds inside its inline scripts (`'colorImages': {...}`,
// `"dimensionValuesDisplayData" : {...}`), which sit in JavaScript rather than a JSON block.

/**
 * The text of the balanced `{...}` or `[...]` starting at `start`, honouring strings and their
 * escapes so a "}" inside a product name does not end it; undefined when it never closes.
 */
function balanced(text: string, start: number): string | undefined {
  const open = text[start];
  if (open !== '{' && open !== '[') return undefined;
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

/**
 * The JSON value assigned to `key` in a script, whether the key is written `"key" :`,
 * `'key':` or `key:`. Every occurrence is tried until one parses and passes `accept` (the
 * same key can name different things at different depths); undefined when none does.
 */
export function jsonAfterKey(
  script: string,
  key: string,
  accept: (value: unknown) => boolean = () => true,
): unknown {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?<![\\w$])["']?${escaped}["']?\\s*:\\s*(?=[[{])`, 'g');
  for (const m of script.matchAll(pattern)) {
    const literal = balanced(script, m.index + m[0].length);
    if (literal === undefined) continue;
    try {
      const value = JSON.parse(literal) as unknown;
      if (accept(value)) return value;
    } catch {
      // Single-quoted JavaScript, not JSON: look for the next occurrence.
    }
  }
  return undefined;
}

/** Narrowing for embedded data, whose every value arrives as `unknown`. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A non-empty string, or undefined. */
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : undefined;
