// Builds the context an action gets in a job: the real HTTP client, origin-mapped to a stand-in.
import type { ActionContext, OpenCredential } from '../../src/actions/define.js';
import { createHttpClient, createJobBrowser, createJobFiles } from '../../src/runtime/index.js';

export interface TestContext<P> {
  ctx: ActionContext<P>;
  /** What the action logged, one line per call, fields as JSON. */
  lines: string[];
}

/** A job context whose requests to each of `realOrigins` go to `standIn`. */
export function actionContext<P>(
  params: P,
  realOrigins: readonly string[],
  standIn: string,
  credential?: OpenCredential,
): TestContext<P> {
  const lines: string[] = [];
  const ctx: ActionContext<P> = {
    params,
    http: createHttpClient({
      originMap: new Map(realOrigins.map((real) => [real, standIn])),
      guard: { allowPrivate: false, allowCidrs: ['127.0.0.2/32'] },
      maxBytes: 5_000_000,
      timeoutMs: 10_000,
    }),
    // No pool here: these actions use HTTP only, and a browser call would fail loudly.
    browser: createJobBrowser(undefined, {}).browser,
    files: createJobFiles().files,
    credential,
    signal: new AbortController().signal,
    log: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
    attempt: 1,
  };
  return { ctx, lines };
}
