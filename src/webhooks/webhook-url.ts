// The one check a webhook URL passes before it is stored, for a task's `webhook_url` and an
// account endpoint alike: absolute http(s), no user info, no localhost, no refused IP literal.
import { badRequest } from '../errors/index.js';
import { InvalidTargetError } from '../runtime/index.js';

/** The event names an account endpoint can subscribe to. */
export const WEBHOOK_EVENTS = ['job.completed', 'job.failed', 'credential.expired'] as const;

/**
 * Returns `raw` when deliveries may be sent to it, else a 400 BAD_REQUEST whose issue points
 * at `path`. `checkTarget` is the address guard's `assertUrl`; DNS answers are checked again
 * on every send.
 */
export function checkWebhookUrl(
  raw: string,
  checkTarget: (url: URL) => void,
  path: string,
): string {
  const field = path.slice(1);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const message = 'must be an absolute http or https URL';
    throw badRequest(`${field} ${message}: '${raw.slice(0, 200)}'.`, [{ path, message }]);
  }
  try {
    checkTarget(url);
  } catch (error) {
    if (!(error instanceof InvalidTargetError)) throw error;
    throw badRequest(`${field} is not allowed. ${error.message}`, [
      { path, message: error.message },
    ]);
  }
  return raw;
}
