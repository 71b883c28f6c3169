// `ctx.files` for one attempt: the files an action attaches to its job (a screenshot, a PDF,
// an export). They are held in memory and handed to the engine when the attempt ends; the
// engine stores them with the job's successful settle, so a failed or retried attempt
// leaves none behind.
import { ExecutionError } from './errors.js';

/** One attached file as the engine stores it. */
export interface JobFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** `ctx.files`: attach files to the job, downloadable with `GET /jobs/{id}/download?file=`. */
export interface JobFiles {
  /**
   * Attaches a file (a string is stored as UTF-8). Throws an ExecutionError, which fails the
   * job, for an unsafe or duplicate name, a malformed content type, or a file past the limits.
   */
  add(name: string, contentType: string, content: Uint8Array | string): void;
  /** Names attached so far in this attempt, in the order they were added. */
  names(): string[];
}

export interface JobFileLimits {
  /** Files one job may have. */
  maxFiles: number;
  /** Bytes one file may have. */
  maxFileBytes: number;
  /** Bytes all of a job's files may have together. */
  maxTotalBytes: number;
}

const MiB = 1024 * 1024;

/** The limits every job gets: files live in the database, so they are bounded. */
export const JOB_FILE_LIMITS: JobFileLimits = {
  maxFiles: 20,
  maxFileBytes: 20 * MiB,
  maxTotalBytes: 50 * MiB,
};

/**
 * A name that is safe as a query parameter, a `Content-Disposition` filename and a file name
 * on any OS: letters, digits, `.`, `-`, `_`, not starting with a dot, at most 128 characters.
 */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
/** `type/subtype`, optionally with parameters (`text/csv; charset=utf-8`). */
const CONTENT_TYPE =
  /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9_.-]+=("[^"\\\r\n]*"|[a-z0-9_.+-]+))*$/i;

/** Whether `name` may name a job file (the download route checks requests with it too). */
export function isSafeFileName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..');
}

const mib = (bytes: number): string => `${Math.round((bytes / MiB) * 10) / 10} MiB`;

export interface JobFilesSession {
  /** What the action is handed as `ctx.files`. */
  files: JobFiles;
  /** Ends the attempt's use of `ctx.files` and returns what was attached, in order. */
  take(): JobFile[];
}

/** A fresh, empty `ctx.files` for one attempt. */
export function createJobFiles(limits: JobFileLimits = JOB_FILE_LIMITS): JobFilesSession {
  const attached: JobFile[] = [];
  let total = 0;
  let ended = false;

  return {
    files: {
      add(name, contentType, content) {
        if (ended) throw new ExecutionError(`File '${name}' was added after the attempt ended.`);
        if (!isSafeFileName(name)) {
          throw new ExecutionError(
            `File name '${name.slice(0, 200)}' is not allowed: use letters, digits, '.', '-' and '_' (at most 128 characters, not starting with '.', no '..').`,
          );
        }
        if (attached.some((f) => f.name === name)) {
          throw new ExecutionError(`The job already has a file named '${name}'.`);
        }
        if (contentType.length > 200 || !CONTENT_TYPE.test(contentType)) {
          throw new ExecutionError(
            `File '${name}' has an invalid content type '${contentType.slice(0, 200)}' (expected e.g. image/png).`,
          );
        }
        if (attached.length >= limits.maxFiles) {
          throw new ExecutionError(
            `File '${name}' is one too many: a job may have at most ${limits.maxFiles} files.`,
          );
        }
        // A copy: the action may reuse its buffer after handing it over.
        const bytes =
          typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
        if (bytes.length > limits.maxFileBytes) {
          throw new ExecutionError(
            `File '${name}' is ${mib(bytes.length)}; a file may be at most ${mib(limits.maxFileBytes)}.`,
          );
        }
        if (total + bytes.length > limits.maxTotalBytes) {
          throw new ExecutionError(
            `File '${name}' would take the job's files to ${mib(total + bytes.length)}; they may be at most ${mib(limits.maxTotalBytes)} together.`,
          );
        }
        total += bytes.length;
        attached.push({ name, contentType, bytes });
      },
      names: () => attached.map((f) => f.name),
    },
    take() {
      ended = true;
      return [...attached];
    },
  };
}
