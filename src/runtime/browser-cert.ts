// Certificates for the guarded proxy's stand-in origins: one EC key per process, a leaf
// certificate per host signed with it, and the key's SPKI hash for Chromium's
// --ignore-certificate-errors-spki-list. Built by hand in DER because Node has no X.509
// writer and this is the only certificate Taskwire ever makes.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';

/** Issues TLS server contexts for hosts the proxy serves itself (mapped origins only). */
export interface StandInCerts {
  /** base64(SHA-256(SubjectPublicKeyInfo)): the value Chromium's SPKI allow-list takes. */
  readonly spkiHash: string;
  /** A secure context whose certificate names `host`; cached per host. */
  contextFor(host: string): SecureContext;
}

/**
 * A fresh key per process: it never leaves memory, so nothing outside this process can
 * present a certificate Chromium would accept because of the SPKI allow-list.
 */
export function createStandInCerts(): StandInCerts {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const cache = new Map<string, SecureContext>();
  return {
    spkiHash: createHash('sha256').update(spki).digest('base64'),
    contextFor(host) {
      let context = cache.get(host);
      if (!context) {
        const cert = leafCertificate(host, spki, privateKey);
        context = createSecureContext({ key: keyPem, cert: pem(cert) });
        cache.set(host, context);
      }
      return context;
    },
  };
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectAltName: '2.5.29.17',
} as const;

/** A self-signed X.509 v3 certificate for `host` (DNS name or IP), valid for 30 days. */
function leafCertificate(host: string, spki: Buffer, key: KeyObject): Buffer {
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const name = seq(set(seq(oid(OID.commonName), der(0x0c, Buffer.from(host.slice(0, 64))))));
  const now = Date.now();
  const validity = seq(
    utcTime(new Date(now - 86_400_000)),
    utcTime(new Date(now + 30 * 86_400_000)),
  );
  const altName = isIpLiteral(host) ? der(0x87, ipBytes(host)) : der(0x82, Buffer.from(host));
  const extensions = der(0xa3, seq(seq(oid(OID.subjectAltName), der(0x04, seq(altName)))));
  const serial = randomBytes(16);
  // Positive, and minimally encoded (no leading zero byte), as strict DER parsers require.
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // version 3
    der(0x02, serial),
    algorithm,
    name,
    validity,
    name,
    spki,
    extensions,
  );
  const signature = sign('sha256', tbs, key); // DER-encoded ECDSA signature
  return seq(tbs, algorithm, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

/** One DER TLV. */
function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const seq = (...items: Buffer[]): Buffer => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => der(0x31, Buffer.concat(items));

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const part of rest) {
    const chunk = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/** 2026-03-14T09:00:00.000Z → 260314090000Z (UTCTime, valid until 2049). */
function utcTime(date: Date): Buffer {
  return der(0x17, Buffer.from(`${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));
}

function isIpLiteral(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

function ipBytes(host: string): Buffer {
  return Buffer.from(host.split('.').map(Number));
}

function pem(cert: Buffer): string {
  const lines = cert.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
