// HN's stored HTML (paragraph tags, shortened auto-links, code blocks, entities) as plain text.
import { describe, expect, it } from 'vitest';

import { decodeEntities, hnTextToPlain } from '../../src/actions/catalogs/hackernews/html-text.js';

describe('hnTextToPlain', () => {
  it('splits paragraphs at <p>, including the first one that has no tag', () => {
    expect(hnTextToPlain('First line.<p>Second <i>one</i>.<p>Third.')).toBe(
      'First line.\n\nSecond one.\n\nThird.',
    );
  });

  it('decodes the entities HN writes', () => {
    expect(decodeEntities('I&#x27;m &quot;here&quot; &amp; a&#x2F;b &lt;3 &#62; &bogus;')).toBe(
      'I\'m "here" & a/b <3 > &bogus;',
    );
  });

  it('reads a shortened auto-link as its full URL', () => {
    const html =
      'see <a href="https:&#x2F;&#x2F;example.com&#x2F;a&#x2F;very&#x2F;long&#x2F;path" rel="nofollow">https:&#x2F;&#x2F;example.com&#x2F;a&#x2F;ve...</a> ok';
    expect(hnTextToPlain(html)).toBe('see https://example.com/a/very/long/path ok');
  });

  it('keeps a link whose text differs from its URL as "text (url)"', () => {
    expect(hnTextToPlain('<a href="http://x.example/">here</a>')).toBe('here (http://x.example/)');
  });

  it('keeps the layout of a code block and collapses whitespace elsewhere', () => {
    const html = 'Try:<p><pre><code>  a = 1\n    b = 2\n</code></pre>\nDone   now.';
    expect(hnTextToPlain(html)).toBe('Try:\n\n  a = 1\n    b = 2\n\nDone now.');
  });

  it('returns an empty string for empty or tag-only text', () => {
    expect(hnTextToPlain('')).toBe('');
    expect(hnTextToPlain('<p><p>')).toBe('');
  });
});
