// Response bodies: streaming decompression under a byte cap, and charset-aware decoding.
import { pipeline, type Readable, type Transform } from 'node:stream';
import zlib from 'node:zlib';

import { ExecutionError } from './errors.js';

/** Reads the body, undoing Content-Encoding, and stops as soon as it passes `maxBytes`. */
export async function readBody(
  body: Readable,
  contentEncoding: string | undefined,
  maxBytes: number,
  url: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    // "gzip, br" means gzip was applied first, so decoders run in reverse order.
    const decoders = (contentEncoding ?? '')
      .split(',')
      .map((coding) => coding.trim().toLowerCase())
      .filter((coding) => coding !== '' && coding !== 'identity')
      .reverse()
      .map((coding) => decoderFor(coding, url));
    const stream: Readable =
      decoders.length === 0
        ? body
        : (pipeline([body, ...decoders], () => {
            // Errors surface through the iteration below; pipeline just needs a callback.
          }) as unknown as Readable);
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      total += buf.length;
      // Counted after decompression, so a gzip bomb stops at the same cap as a huge body.
      if (total > maxBytes) {
        throw new ExecutionError(`Response from ${url} exceeded ${maxBytes} bytes.`);
      }
      chunks.push(buf);
    }
  } finally {
    // Leaving early must release the socket too, not just the last decoder in the chain.
    body.destroy();
  }
  return Buffer.concat(chunks, total);
}

function decoderFor(coding: string, url: string): Transform {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      // Like browsers, keep what decoded when a server cuts the stream a little short.
      return zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'deflate':
      return zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'br':
      return zlib.createBrotliDecompress({
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      throw new ExecutionError(`${url} sent an unsupported content-encoding '${coding}'.`);
  }
}

/** UTF-8 unless the server names another charset (latin1 pages still exist). */
export function decodeText(bytes: Buffer, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  if (charset) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // An unknown label: fall back to UTF-8, as browsers mostly do.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}
