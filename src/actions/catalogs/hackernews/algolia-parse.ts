// Reads an Algolia HN search answer (/api/v1/search) from `unknown` JSON into search hits.
import { ExecutionError } from '../../../runtime/index.js';
import { hnItemUrl } from './hn-client.js';
import { optionalText } from './html-text.js';
import { defined, isoTime } from './item-parse.js';

/** One search hit; Algolia sends null for fields a hit's kind lacks, which become omitted. */
export interface SearchHit {
  id: number;
  type?: string;
  title?: string;
  url?: string;
  author: string;
  points?: number;
  comments?: number;
  created_at: string;
  text?: string;
  story_id?: number;
  hn_url: string;
}

export interface SearchPage {
  total: number;
  hits: SearchHit[];
}

/** The `_tags` that name an item's kind (the others are author_x, story_N, front_page...). */
const KINDS = ['story', 'comment', 'poll', 'pollopt', 'job'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const int = (v: unknown): number | undefined => (Number.isInteger(v) ? (v as number) : undefined);

function parseHit(raw: unknown): SearchHit | undefined {
  if (!isRecord(raw)) return undefined;
  // objectID is the HN item id as a string.
  const id = Number(raw.objectID);
  const author = str(raw.author);
  const createdAt =
    str(raw.created_at) ??
    (int(raw.created_at_i) !== undefined ? isoTime(raw.created_at_i as number) : undefined);
  if (!Number.isInteger(id) || id <= 0 || !author || !createdAt) return undefined;
  const tags = Array.isArray(raw._tags) ? raw._tags : [];
  const type = KINDS.find((k) => tags.includes(k));
  return defined({
    id,
    type,
    title: str(raw.title),
    url: str(raw.url),
    author,
    points: int(raw.points),
    comments: int(raw.num_comments),
    created_at: createdAt,
    text: optionalText(raw.comment_text) ?? optionalText(raw.story_text),
    // A comment's story, so a caller can open the thread it belongs to.
    story_id: type === 'story' ? undefined : int(raw.story_id),
    hn_url: hnItemUrl(id),
  });
}

/** Parses one page of results; a body without `hits` is an answer we do not understand. */
export function parseSearch(raw: unknown): SearchPage {
  if (!isRecord(raw) || !Array.isArray(raw.hits)) {
    throw new ExecutionError('The Hacker News search API answered without a hits list.');
  }
  const hits = raw.hits.map(parseHit).filter((h): h is SearchHit => h !== undefined);
  return { total: int(raw.nbHits) ?? hits.length, hits };
}
