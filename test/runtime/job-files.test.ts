// `ctx.files` on its own: what names and content types it accepts, its limits, and that an
// ended attempt can attach nothing more. The engine tests prove the files are stored.
import { describe, expect, it } from 'vitest';

import { createJobFiles, ExecutionError, isSafeFileName } from '../../src/runtime/index.js';

const small = { maxFiles: 3, maxFileBytes: 10, maxTotalBytes: 15 };

describe('ctx.files', () => {
  it('keeps files in the order they were added, strings as UTF-8, bytes copied', () => {
    const session = createJobFiles();
    const bytes = new Uint8Array([0, 1, 255]);
    session.files.add('shot.png', 'image/png', bytes);
    session.files.add('notes.txt', 'text/plain; charset=utf-8', 'café');
    bytes[0] = 9;
    expect(session.files.names()).toEqual(['shot.png', 'notes.txt']);
    const [shot, notes] = session.take();
    expect(shot).toEqual({
      name: 'shot.png',
      contentType: 'image/png',
      bytes: Buffer.from([0, 1, 255]),
    });
    expect(notes!.bytes).toEqual(Buffer.from('café', 'utf8'));
    expect(notes!.contentType).toBe('text/plain; charset=utf-8');
  });

  it.each([
    ['a path', 'dir/file.png'],
    ['a Windows path', 'dir\\file.png'],
    ['a parent reference', '..'],
    ['a hidden name', '.env'],
    ['a doubled dot', 'a..png'],
    ['an empty name', ''],
    ['a space', 'my file.png'],
    ['a quote', 'a"b.png'],
    ['a newline', 'a\nb.png'],
    ['non-ASCII', 'café.png'],
    ['a name past 128 characters', `${'a'.repeat(125)}.png`],
  ])('refuses %s as a file name, quoting it', (_what, name) => {
    const { files } = createJobFiles();
    expect(isSafeFileName(name)).toBe(false);
    expect(() => files.add(name, 'image/png', 'x')).toThrow(ExecutionError);
    expect(() => files.add(name, 'image/png', 'x')).toThrow(`File name '${name}' is not allowed`);
  });

  it.each(['report.pdf', 'page-2_final.PNG', 'a', '_x', `${'a'.repeat(124)}.png`])(
    'accepts %s as a file name',
    (name) => {
      const { files } = createJobFiles();
      expect(isSafeFileName(name)).toBe(true);
      expect(() => files.add(name, 'application/octet-stream', 'x')).not.toThrow();
    },
  );

  it('refuses a second file of the same name', () => {
    const { files } = createJobFiles();
    files.add('a.txt', 'text/plain', '1');
    expect(() => files.add('a.txt', 'text/plain', '2')).toThrow(
      "The job already has a file named 'a.txt'.",
    );
  });

  it.each(['png', 'image/', '/png', 'image/png\r\nx-evil: 1', 'image/png; charset', 'text/html<'])(
    'refuses the content type %j',
    (type) => {
      const { files } = createJobFiles();
      expect(() => files.add('a.bin', type, 'x')).toThrow(/has an invalid content type/);
    },
  );

  it('bounds the number of files, each file and all of them together', () => {
    const { files } = createJobFiles(small);
    expect(() => files.add('big.bin', 'application/octet-stream', new Uint8Array(11))).toThrow(
      /a file may be at most/,
    );
    files.add('a.bin', 'application/octet-stream', new Uint8Array(10));
    expect(() => files.add('b.bin', 'application/octet-stream', new Uint8Array(6))).toThrow(
      /they may be at most .* together/,
    );
    files.add('b.bin', 'application/octet-stream', new Uint8Array(5));
    files.add('c.bin', 'application/octet-stream', new Uint8Array(0));
    expect(() => files.add('d.bin', 'application/octet-stream', '')).toThrow('at most 3 files');
    expect(files.names()).toEqual(['a.bin', 'b.bin', 'c.bin']);
  });

  it('refuses files once the attempt has ended', () => {
    const session = createJobFiles();
    session.files.add('a.txt', 'text/plain', '1');
    expect(session.take()).toHaveLength(1);
    expect(() => session.files.add('late.txt', 'text/plain', '2')).toThrow(
      "File 'late.txt' was added after the attempt ended.",
    );
  });
});
