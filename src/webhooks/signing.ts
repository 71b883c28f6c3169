// Webhook secrets and signatures: `X-Anakin-Signature: sha256=<hex HMAC-SHA256(secret, body)>`,
// computed over the exact bytes sent, as Wire's receivers verify them.
import { createHmac, randomBytes } from 'node:crypto';

/** A fresh signing secret: `whsec_` and 32 random bytes, base64url. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The `X-Anakin-Signature` value for a raw body. */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The headers that go with every delivery; the timestamp is the send time, unix seconds. */
export function deliveryHeaders(
  secret: string,
  body: string,
  delivery: { id: string; event: string },
  now: Date,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Taskwire-Webhooks/1',
    'x-anakin-signature': signatureOf(secret, body),
    'x-anakin-timestamp': String(Math.floor(now.getTime() / 1000)),
    'x-taskwire-delivery': delivery.id,
    'x-taskwire-event': delivery.event,
  };
}
