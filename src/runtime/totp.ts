// Time-based one-time passwords (RFC 6238) from a stored TOTP secret, for login flows that
// pass a two-factor step. A secret is the base32 key an authenticator app is set up with, or
// the whole `otpauth://totp/...` URI its QR code encodes.
import { Secret, TOTP, URI } from 'otpauth';

/** Parses a TOTP secret; throws an Error whose message never quotes the secret. */
export function parseTotpSecret(value: string): TOTP {
  const text = value.trim();
  if (text.toLowerCase().startsWith('otpauth://')) {
    let parsed: unknown;
    try {
      parsed = URI.parse(text);
    } catch {
      throw new Error('is not a valid otpauth:// URI');
    }
    if (!(parsed instanceof TOTP)) throw new Error('must be an otpauth://totp/ URI, not HOTP');
    return parsed;
  }
  // Authenticator setup pages group the key in blocks of four; spaces and case do not matter.
  const base32 = text.replace(/[\s-]/g, '').toUpperCase().replace(/=+$/, '');
  if (!/^[A-Z2-7]{16,}$/.test(base32)) {
    throw new Error('must be a base32 key (at least 16 of A–Z, 2–7) or an otpauth://totp/ URI');
  }
  return new TOTP({ secret: Secret.fromBase32(base32), algorithm: 'SHA1', digits: 6, period: 30 });
}

/** The code an authenticator app shows for `secret` at `timestamp` (ms, default now). */
export function totpCode(secret: string, timestamp: number = Date.now()): string {
  return parseTotpSecret(secret).generate({ timestamp });
}
