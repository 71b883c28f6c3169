// Fetches an item's comment tree breadth-first, a bounded number of requests at a time.
import type { HttpClient } from '../../../runtime/index.js';
import { fetchItems } from './hn-client.js';
import { optionalText } from './html-text.js';
import { defined, isLive, isoTime, type HnItem } from './item-parse.js';

/** One comment and its replies, in HN's display order. */
export interface CommentNode {
  id: number;
  by: string;
  time: string;
  text?: string;
  /** Replies left unfetched because of max_depth or max_comments. */
  more_replies?: number;
  replies: CommentNode[];
}

export interface TreeCaps {
  /** Levels below the item to read; 1 = direct replies only, 0 = none. */
  maxDepth: number;
  /** Comments returned at most, across all levels. */
  maxComments: number;
}

export interface CommentTree {
  comments: CommentNode[];
  /** True when a cap left some replies unfetched. */
  truncated: boolean;
  /** Deleted, dead or missing items that were fetched and left out. */
  skipped: number;
}

/** A parent whose kids are still to fetch: the root (no node) or a comment node. */
interface Pending {
  kids: readonly number[];
  into: CommentNode[];
  node?: CommentNode;
}

function toNode(item: HnItem): CommentNode | undefined {
  // isLive has already checked time; a comment without an author is not a real comment.
  if (!item.by || item.time === undefined) return undefined;
  return defined({
    id: item.id,
    by: item.by,
    time: isoTime(item.time),
    text: optionalText(item.text),
    replies: [],
  });
}

/**
 * Reads `root`'s replies level by level, so that when `maxComments` runs out the comments kept
 * are the shallowest ones. Deleted and dead comments are left out together with their replies,
 * which on HN hang from a comment that is no longer shown.
 */
export async function fetchCommentTree(
  http: HttpClient,
  root: HnItem,
  caps: TreeCaps,
): Promise<CommentTree> {
  const comments: CommentNode[] = [];
  let level: Pending[] = root.kids.length ? [{ kids: root.kids, into: comments }] : [];
  let kept = 0;
  let skipped = 0;
  let truncated = false;

  const leaveOut = (parent: Pending, count: number): void => {
    truncated = true;
    if (parent.node) parent.node.more_replies = (parent.node.more_replies ?? 0) + count;
  };

  for (let depth = 1; depth <= caps.maxDepth && level.length > 0; depth++) {
    const wanted = level.flatMap((parent) => parent.kids.map((id) => ({ id, parent })));
    const nextLevel: Pending[] = [];
    let pos = 0;
    // Each round asks only for what is still allowed; skipped items make room for another.
    while (pos < wanted.length && kept < caps.maxComments) {
      const batch = wanted.slice(pos, pos + caps.maxComments - kept);
      pos += batch.length;
      const items = await fetchItems(
        http,
        batch.map((w) => w.id),
      );
      batch.forEach((w, i) => {
        const item = items[i];
        const node = isLive(item) ? toNode(item) : undefined;
        if (!item || !node) {
          skipped += 1;
          return;
        }
        w.parent.into.push(node);
        kept += 1;
        if (item.kids.length) nextLevel.push({ kids: item.kids, into: node.replies, node });
      });
    }
    for (const w of wanted.slice(pos)) leaveOut(w.parent, 1);
    level = nextLevel;
  }
  // Whatever is still pending sits below max_depth.
  for (const parent of level) leaveOut(parent, parent.kids.length);
  return { comments, truncated, skipped };
}
