// The site the scrape benchmark reads, run in its own process so neither side under test shares
// its event loop: N distinct article pages of a realistic size (~25 KB: chrome, an article of
// twenty paragraphs, fifty links, OpenGraph and JSON-LD), each linking its neighbours.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const WORDS =
  'replica clock causal order write merge conflict vector version node cluster partition quorum lease commit durable ledger balance credit session cookie origin proxy browser page'.split(
    ' ',
  );

function paragraph(seed: number): string {
  const words: string[] = [];
  for (let i = 0; i < 60; i += 1) words.push(WORDS[(seed * 7 + i * 13) % WORDS.length]!);
  return `${words.join(' ')}.`;
}

function page(n: number): string {
  const links = Array.from(
    { length: 50 },
    (_, i) => `<li><a href="/p/${(n + i + 1) % 100_000}">Related story ${i + 1}</a></li>`,
  ).join('\n');
  const paragraphs = Array.from({ length: 20 }, (_, i) => `<p>${paragraph(n + i)}</p>`).join('\n');
  const jsonLd = JSON.stringify({
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: `Story number ${n}`,
    author: { '@type': 'Person', name: 'Bench Writer' },
    datePublished: '2026-03-14T09:00:00Z',
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Story number ${n} | The Bench Journal</title>
  <meta name="description" content="Story ${n} of the benchmark site.">
  <link rel="canonical" href="/p/${n}">
  <meta property="og:title" content="Story number ${n}">
  <meta property="og:type" content="article">
  <script type="application/ld+json">${jsonLd}</script>
  <style>body { font-family: serif; max-width: 40em; margin: auto; }</style>
</head>
<body>
  <header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/tech">Tech</a></nav></header>
  <main>
    <article>
      <h1>Story number ${n}</h1>
      <h2>What happened</h2>
      ${paragraphs}
      <h2>Read next</h2>
      <ul>${links}</ul>
    </article>
  </main>
  <footer><p>© The Bench Journal</p></footer>
</body>
</html>`;
}

const server = createServer((req, res) => {
  const match = /^\/p\/(\d+)$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const body = page(Number(match[1]));
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ origin: `http://127.0.0.1:${port}` });
});
