// Ranks actions against a free-text query: name, tags, catalog, then description, with
// simple stemming so "scrape profiles" finds `li_profile_scrape`.
import type { RegisteredAction } from './registry.js';

const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'of',
  'for',
  'to',
  'from',
  'on',
  'in',
  'my',
  'me',
  'get',
  'and',
  'with',
  'this',
  'i',
  'want',
]);

/** Lower-cased word stems: "profiles" → "profil", "scraping" → "scrap". */
export function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0 && !STOP_WORDS.has(t))
    .map(stem);
}

function stem(word: string): string {
  for (const suffix of ['ing', 'es', 's', 'ed', 'e']) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix))
      return word.slice(0, -suffix.length);
  }
  return word;
}

const FIELD_WEIGHTS = { id: 12, name: 10, tags: 8, catalog: 6, description: 2 } as const;

/** A score above zero means every query word matched somewhere; higher is better. */
export function scoreAction(action: RegisteredAction, query: string): number {
  const words = tokens(query);
  if (words.length === 0) return 1;
  const def = action.definition;
  const fields: Record<keyof typeof FIELD_WEIGHTS, Set<string>> = {
    id: new Set(tokens(def.id)),
    name: new Set(tokens(def.name)),
    tags: new Set(def.tags.flatMap(tokens)),
    catalog: new Set([
      ...tokens(action.catalog.definition.name),
      ...tokens(action.catalog.definition.slug),
    ]),
    description: new Set(tokens(def.description)),
  };
  let score = query.trim().toLowerCase() === def.id ? 100 : 0;
  let matched = 0;
  for (const word of words) {
    let best = 0;
    let fieldsHit = 0;
    for (const [field, set] of Object.entries(fields) as Array<
      [keyof typeof FIELD_WEIGHTS, Set<string>]
    >) {
      const hit = set.has(word) || [...set].some((t) => t.startsWith(word) && word.length >= 3);
      if (hit) {
        best = Math.max(best, FIELD_WEIGHTS[field]);
        fieldsHit += 1;
      }
    }
    if (best > 0) matched += 1;
    // The best field decides; each further field the word appears in breaks ties, so an
    // action that is about the word (name, tags and description) beats one that mentions it.
    score += best > 0 ? best + fieldsHit - 1 : 0;
  }
  // Every word should match; a partial match still ranks, below all full matches.
  return matched === words.length ? score + 1000 : matched > 0 ? score : 0;
}

export function rankActions(
  actions: RegisteredAction[],
  query: string | undefined,
): RegisteredAction[] {
  if (!query || tokens(query).length === 0) {
    return [...actions].sort((a, b) => a.definition.id.localeCompare(b.definition.id));
  }
  return actions
    .map((action) => ({ action, score: scoreAction(action, query) }))
    .filter((r) => r.score > 0)
    .sort(
      (a, b) => b.score - a.score || a.action.definition.id.localeCompare(b.action.definition.id),
    )
    .map((r) => r.action);
}
