// Reads GitHub's repository and issue JSON (`unknown`) into the catalog's output shapes.
import { ExecutionError } from '../../../runtime/index.js';

/** A repository in a list; optional fields are omitted when GitHub has null. */
export interface RepoSummary {
  name: string;
  full_name: string;
  description?: string;
  html_url: string;
  language?: string;
  stargazers_count: number;
  forks_count: number;
  fork: boolean;
  archived: boolean;
  updated_at: string;
  pushed_at?: string;
}

/** One repository in detail. */
export interface RepoDetail {
  full_name: string;
  description?: string;
  html_url: string;
  default_branch: string;
  stars: number;
  forks: number;
  open_issues: number;
  watchers: number;
  language?: string;
  topics: string[];
  license?: string;
  created_at: string;
  updated_at: string;
  pushed_at?: string;
  private: boolean;
  archived: boolean;
}

export interface CreatedIssue {
  number: number;
  html_url: string;
  state: string;
  created_at: string;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const int = (v: unknown): number => (Number.isInteger(v) ? (v as number) : 0);

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The fields without which a repository is not one; GitHub always sends them. */
function core(
  raw: unknown,
): (Json & { name: string; full_name: string; html_url: string }) | undefined {
  if (!isRecord(raw)) return undefined;
  const name = str(raw.name);
  const fullName = str(raw.full_name);
  const htmlUrl = str(raw.html_url);
  return name && fullName && htmlUrl
    ? { ...raw, name, full_name: fullName, html_url: htmlUrl }
    : undefined;
}

/** A list entry, or undefined when the element is not a repository at all. */
export function parseRepoSummary(raw: unknown): RepoSummary | undefined {
  const r = core(raw);
  if (!r) return undefined;
  return defined({
    name: r.name,
    full_name: r.full_name,
    description: str(r.description),
    html_url: r.html_url,
    language: str(r.language),
    stargazers_count: int(r.stargazers_count),
    forks_count: int(r.forks_count),
    fork: r.fork === true,
    archived: r.archived === true,
    updated_at: str(r.updated_at) ?? '',
    pushed_at: str(r.pushed_at),
  });
}

/**
 * `GET /repos/{owner}/{repo}`. `watchers` is `subscribers_count` (people watching), which only
 * this endpoint has; `watchers_count` is a legacy alias of the star count. The license is its
 * SPDX id, or its name when GitHub cannot assign one ("NOASSERTION").
 */
export function parseRepoDetail(raw: unknown): RepoDetail {
  const r = core(raw);
  if (!r) throw new ExecutionError('GitHub answered the repository request with no repository.');
  const license = isRecord(r.license)
    ? str(r.license.spdx_id) !== 'NOASSERTION'
      ? (str(r.license.spdx_id) ?? str(r.license.name))
      : str(r.license.name)
    : undefined;
  return defined({
    full_name: r.full_name,
    description: str(r.description),
    html_url: r.html_url,
    default_branch: str(r.default_branch) ?? 'main',
    stars: int(r.stargazers_count),
    forks: int(r.forks_count),
    open_issues: int(r.open_issues_count),
    watchers: int(r.subscribers_count ?? r.watchers_count),
    language: str(r.language),
    topics: Array.isArray(r.topics)
      ? r.topics.filter((t): t is string => typeof t === 'string')
      : [],
    license,
    created_at: str(r.created_at) ?? '',
    updated_at: str(r.updated_at) ?? '',
    pushed_at: str(r.pushed_at),
    private: r.private === true,
    archived: r.archived === true,
  });
}

/** The 201 body of `POST /repos/{owner}/{repo}/issues`. */
export function parseCreatedIssue(raw: unknown): CreatedIssue {
  const number = isRecord(raw) ? raw.number : undefined;
  const htmlUrl = isRecord(raw) ? str(raw.html_url) : undefined;
  if (!isRecord(raw) || !Number.isInteger(number) || !htmlUrl) {
    // The issue may well exist: say so, since the job will not be retried.
    throw new ExecutionError(
      'GitHub accepted the issue but its answer had no issue number; check the repository before retrying.',
    );
  }
  return {
    number: number as number,
    html_url: htmlUrl,
    state: str(raw.state) ?? 'open',
    created_at: str(raw.created_at) ?? '',
  };
}
