// Reads one item of the official Hacker News API (/v0/item/{id}.json) from `unknown` JSON.
import { ExecutionError } from '../../../runtime/index.js';

/** Item kinds the API knows; anything newer is kept as its string. */
export type HnItemType = 'story' | 'comment' | 'job' | 'poll' | 'pollopt';

/** One HN item with the API's own field names; absent fields stay undefined. */
export interface HnItem {
  id: number;
  type: string;
  by?: string;
  /** Unix seconds. */
  time?: number;
  title?: string;
  url?: string;
  /** HTML, as HN stores it. */
  text?: string;
  score?: number;
  /** Total comment count of a story or poll. */
  descendants?: number;
  /** Direct replies, in ranked display order. */
  kids: number[];
  parent?: number;
  deleted: boolean;
  dead: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const int = (v: unknown): number | undefined => (Number.isInteger(v) ? (v as number) : undefined);

/**
 * Parses an item body. The API answers `null` (with 200) for an id that does not exist, which
 * is returned as undefined; anything else without an integer id is an unexpected answer.
 */
export function parseItem(raw: unknown, requested: number): HnItem | undefined {
  if (raw === null) return undefined;
  const id = isRecord(raw) ? int(raw.id) : undefined;
  if (!isRecord(raw) || id === undefined) {
    throw new ExecutionError(`The Hacker News API answered item ${requested} with no item in it.`);
  }
  return {
    id,
    type: str(raw.type) ?? 'story',
    by: str(raw.by),
    time: int(raw.time),
    title: str(raw.title),
    url: str(raw.url),
    text: str(raw.text),
    score: int(raw.score),
    descendants: int(raw.descendants),
    kids: Array.isArray(raw.kids) ? raw.kids.filter((k): k is number => Number.isInteger(k)) : [],
    parent: int(raw.parent),
    deleted: raw.deleted === true,
    dead: raw.dead === true,
  };
}

/** Deleted items keep only id/type/time; dead ones are flagged or killed and hidden on HN. */
export const isLive = (item: HnItem | undefined): item is HnItem =>
  item !== undefined && !item.deleted && !item.dead && item.time !== undefined;

/** Unix seconds as ISO-8601 UTC. */
export const isoTime = (unix: number): string => new Date(unix * 1000).toISOString();

/** The host HN shows beside a link, without "www.". */
export function siteOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.replace(/^www\./, '') || undefined;
  } catch {
    return undefined;
  }
}

/** Removes undefined properties so optional fields are omitted, never null. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
