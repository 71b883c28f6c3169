// Reads a member's activity: the first batch LinkedIn embeds in the "All activity" page as a
// hidden <code> bootstrap body, and later batches from Voyager's profileUpdatesV2, both in
// Voyager's normalised JSON (`data` lists entity URNs, `included` holds the entities).
import { load } from 'cheerio';

import { block, clean, isObj, type Json, list, str } from './profile-values.js';

/** One post; `text`, `posted` and `posted_at` are omitted when LinkedIn gives none. */
export interface Post {
  activity_urn: string;
  url: string;
  text?: string;
  /** LinkedIn's own short age, as shown: "3h", "2d", "5w", "4mo", "1yr". */
  posted?: string;
  /** When it was posted, read from the activity id (its top bits are the Unix time in ms). */
  posted_at?: string;
  edited: boolean;
  reactions: number;
  comments: number;
  reposts: number;
}

export interface UpdatesBatch {
  posts: Post[];
  /** How many updates the batch held (posts plus any that are not member posts). */
  size: number;
  /** What the next batch must send to continue where this one stopped. */
  paginationToken?: string;
}

/** The bootstrap call the page embeds: the Voyager request it answered and its JSON body. */
export interface EmbeddedUpdates {
  request: string;
  body: unknown;
}

const ACTIVITY_URN = /^urn:li:activity:(\d{1,25})$/;
/** Activity ids before LinkedIn's launch or from the future are not timestamps. */
const EARLIEST_MS = Date.UTC(2003, 0, 1);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Finds the profileUpdatesV2 body among the page's `<code id="datalet-bpr-guid-…">` blocks. */
export function embeddedUpdates(html: string): EmbeddedUpdates | undefined {
  const $ = load(html);
  for (const el of $('code[id^="datalet-bpr-guid-"]').toArray()) {
    const datalet = parseJson($(el).text());
    if (!isObj(datalet) || typeof datalet.request !== 'string' || typeof datalet.body !== 'string')
      continue;
    if (!datalet.request.includes('/identity/profileUpdatesV2')) continue;
    const body = $('code')
      .filter((_, c) => $(c).attr('id') === datalet.body)
      .first();
    if (body.length) return { request: datalet.request, body: parseJson(body.text()) };
  }
  return undefined;
}

/** The time inside an activity id, as ISO-8601; undefined when it cannot be one. */
export function activityTime(id: string): string | undefined {
  const ms = Number(BigInt(id) >> 22n);
  return ms >= EARLIEST_MS && ms <= Date.now() + 86_400_000
    ? new Date(ms).toISOString()
    : undefined;
}

const countOf = (v: unknown): number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : 0;

function post(update: Json, byUrn: Map<string, Json>): Post | undefined {
  const meta = isObj(update.updateMetadata) ? update.updateMetadata : {};
  const urn = str(meta.urn);
  const id = urn ? ACTIVITY_URN.exec(urn)?.[1] : undefined;
  if (!urn || !id) return undefined;
  const actor = isObj(update.actor) ? update.actor : {};
  const sub = isObj(actor.subDescription) ? str(actor.subDescription.text) : undefined;
  // "2d • Edited • ": the age, then markers; the globe icon is an image, not text.
  const parts = (sub ?? '').split('•').map((p) => clean(p));
  const commentary = isObj(update.commentary) ? update.commentary : {};
  const text = isObj(commentary.text) ? commentary.text.text : undefined;
  const detail = byUrn.get(String(update['*socialDetail']));
  const counts = detail ? byUrn.get(String(detail['*totalSocialActivityCounts'])) : undefined;
  const posted = parts[0];
  const postedAt = activityTime(id);
  return {
    activity_urn: urn,
    url: `https://www.linkedin.com/feed/update/${urn}/`,
    ...(typeof text === 'string' && block(text) ? { text: block(text) } : {}),
    ...(posted ? { posted } : {}),
    ...(postedAt ? { posted_at: postedAt } : {}),
    edited: parts.some((p) => p?.toLowerCase() === 'edited'),
    reactions: countOf(counts?.numLikes),
    comments: countOf(counts?.numComments),
    reposts: countOf(counts?.numShares),
  };
}

/** Reads one batch of normalised profileUpdatesV2 JSON; anything else reads as an empty batch. */
export function parseUpdates(body: unknown): UpdatesBatch {
  if (!isObj(body) || !isObj(body.data)) return { posts: [], size: 0 };
  const byUrn = new Map<string, Json>();
  for (const entity of list(body.included)) {
    if (isObj(entity) && typeof entity.entityUrn === 'string') byUrn.set(entity.entityUrn, entity);
  }
  const urns = list(body.data['*elements']).filter((u): u is string => typeof u === 'string');
  const posts = urns
    .map((u) => byUrn.get(u))
    .map((u) => (u ? post(u, byUrn) : undefined))
    .filter((p): p is Post => p !== undefined);
  const metadata = isObj(body.data.metadata) ? body.data.metadata : {};
  const token = str(metadata.paginationToken);
  return { posts, size: urns.length, ...(token ? { paginationToken: token } : {}) };
}
