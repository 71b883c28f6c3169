// SSRF guard (reliability G8): literal spellings, private ranges refused before any dial, DNS
// rebinding, and the verdict table checked against an independent node:net BlockList.
import type { LookupAddress } from 'node:dns';
import net, { BlockList } from 'node:net';
import tls from 'node:tls';

import { request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  createAddressGuard,
  createHttpClient,
  InvalidTargetError,
} from '../../src/runtime/index.js';
import { startVictim, startWebSite, totalHits, type WebSite } from '../fixtures/sites/web/site.js';

const GUARD = { allowPrivate: false, allowCidrs: ['127.0.0.2/32'] } as const;

/** Hosts handed to net.connect / tls.connect; anything but loopback fails the test at once. */
const dials: string[] = [];
const realNetConnect = net.connect;
const realTlsConnect = tls.connect;

function recordDial(args: unknown[]): void {
  const first = args[0];
  const host =
    typeof first === 'object' && first !== null ? String((first as { host?: unknown }).host) : '?';
  dials.push(host);
  // No non-loopback traffic may leave this machine, so refusals must happen before this.
  if (!/^127\.|^::1$/.test(host)) throw new Error(`The test dialled a non-loopback host: ${host}`);
}

beforeEach(() => {
  dials.length = 0;
  vi.spyOn(net, 'connect').mockImplementation((...args: unknown[]) => {
    recordDial(args);
    return (realNetConnect as (...a: unknown[]) => net.Socket)(...args);
  });
  vi.spyOn(tls, 'connect').mockImplementation((...args: unknown[]) => {
    recordDial(args);
    return (realTlsConnect as (...a: unknown[]) => tls.TLSSocket)(...args);
  });
});
afterEach(() => vi.restoreAllMocks());

/** A resolver that answers from a fixed table and counts its calls. */
function fakeDns(table: Record<string, string[]>) {
  const calls: string[] = [];
  const lookup = (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    const answers = table[hostname];
    if (!answers) return Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
    return Promise.resolve(answers.map((address) => ({ address, family: net.isIP(address) })));
  };
  return { lookup, calls };
}

describe('isAllowedAddress', () => {
  const guard = createAddressGuard(GUARD);

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '127.0.0.2',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
  ])('allows public unicast or allow-listed %s', (ip) => {
    expect(guard.isAllowedAddress(ip)).toBe(true);
  });

  it.each([
    '127.0.0.1',
    '127.0.0.3',
    '0.0.0.0',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::7f00:1',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    '64:ff9b::a00:1',
    '64:ff9b::7f00:1',
    '2002:a00:1::',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001:db8::1',
    'not-an-ip',
    '',
  ])('refuses %s', (ip) => {
    expect(guard.isAllowedAddress(ip)).toBe(false);
  });

  it('lets allowPrivate open every range and allowCidrs open exactly its own', () => {
    const open = createAddressGuard({ allowPrivate: true, allowCidrs: [] });
    expect(open.isAllowedAddress('10.0.0.1')).toBe(true);
    expect(open.isAllowedAddress('::1')).toBe(true);
    const narrow = createAddressGuard({ allowPrivate: false, allowCidrs: ['10.1.0.0/16'] });
    expect(narrow.isAllowedAddress('10.1.2.3')).toBe(true);
    expect(narrow.isAllowedAddress('::ffff:10.1.2.3')).toBe(true);
    expect(narrow.isAllowedAddress('10.2.0.1')).toBe(false);
  });

  it('agrees with a node:net BlockList of the denied ranges on 40,000 seeded addresses', () => {
    const allowedByReference = referenceClassifier();
    const addresses = [...boundaryAddresses(), ...randomAddresses(mulberry32(0x5eed), 40_000)];
    const disagreements = addresses
      .filter((ip) => guard.isAllowedAddress(ip) !== allowedByReference(ip))
      .map((ip) => `${ip} (reference: ${allowedByReference(ip)})`);
    expect(disagreements).toEqual([]);
  });
});

describe('assertUrl', () => {
  const guard = createAddressGuard(GUARD);

  it.each([
    'file:///etc/passwd',
    'gopher://127.0.0.2:70/_x',
    'ftp://example.com/',
    'javascript:alert(1)',
    'data:text/html,hi',
    'http://user:pw@example.com/',
    'http://user@example.com/',
    'http://127.0.0.1/',
    'http://[::1]/',
    'http://0x7f000001/',
  ])('refuses %s', (url) => {
    expect(() => guard.assertUrl(new URL(url))).toThrow(InvalidTargetError);
  });

  it('refuses URLs longer than 2048 characters', () => {
    const url = new URL(`https://example.com/${'a'.repeat(2048)}`);
    expect(() => guard.assertUrl(url)).toThrow(/longer than 2048/);
  });

  it('accepts public names and allow-listed literals', () => {
    expect(() => guard.assertUrl(new URL('https://www.example.org/a?b=c'))).not.toThrow();
    expect(() => guard.assertUrl(new URL('http://127.0.0.2:8080/'))).not.toThrow();
  });
});

describe('guarded connections (loopback only)', () => {
  let victim: WebSite;
  let site: WebSite;
  let port: number;

  beforeAll(async () => {
    victim = await startVictim({ host: '127.0.0.1' });
    port = Number(new URL(victim.origin).port);
    // Same port on 127.0.0.2: a rebinding answer of 127.0.0.1 would reach the victim.
    site = await startWebSite({ host: '127.0.0.2', port, victimOrigin: victim.origin });
  });
  afterAll(async () => {
    await site.close();
    await victim.close();
  });

  function client(lookup?: ReturnType<typeof fakeDns>['lookup']) {
    const guard = createAddressGuard(GUARD, lookup ? { lookup } : {});
    const http = createHttpClient(
      { originMap: new Map(), guard: GUARD, maxBytes: 1_000_000, timeoutMs: 5_000 },
      { guard },
    );
    return { guard, http };
  }

  const loopbackSpellings = () => [
    `http://127.0.0.1:${port}/`,
    `http://localhost:${port}/`,
    `http://127.1:${port}/`,
    `http://0x7f000001:${port}/`,
    `http://2130706433:${port}/`,
    `http://017700000001:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://[::ffff:7f00:1]:${port}/`,
    `http://internal.example.test:${port}/`,
  ];

  it('T8a: refuses every loopback spelling through the client, 0 victim hits', async () => {
    const { http } = client(fakeDns({ 'internal.example.test': ['127.0.0.1'] }).lookup);
    // localhost goes to the real resolver (/etc/hosts); everything else is a literal or faked.
    const realHttp = createHttpClient({
      originMap: new Map(),
      guard: GUARD,
      maxBytes: 1_000_000,
      timeoutMs: 5_000,
    });
    for (const url of loopbackSpellings()) {
      const using = url.includes('localhost') ? realHttp : http;
      await expect(using.get(url), url).rejects.toBeInstanceOf(InvalidTargetError);
    }
    expect(totalHits(victim)).toBe(0);
    expect(dials).toEqual([]);
  });

  it('T8a: the dispatcher refuses them too when handed the URL directly', async () => {
    const { guard } = client(fakeDns({ 'internal.example.test': ['127.0.0.1'] }).lookup);
    for (const url of loopbackSpellings().filter((u) => !u.includes('localhost'))) {
      await expect(request(url, { dispatcher: guard.dispatcher }), url).rejects.toBeInstanceOf(
        InvalidTargetError,
      );
    }
    expect(totalHits(victim)).toBe(0);
    // Refused before a socket existed: the connector never dialled anything.
    expect(dials).toEqual([]);
  });

  const privateTargets = [
    '169.254.169.254',
    '[fd00:ec2::254]',
    '10.0.0.1',
    '172.16.0.1',
    '192.168.0.1',
    '100.64.0.1',
    '224.0.0.1',
    '[64:ff9b::a00:1]',
    '[2002:a00:1::]',
  ];

  it('T8b: refuses private and special ranges before connecting', async () => {
    const { guard, http } = client();
    for (const host of privateTargets) {
      const url = `http://${host}/latest/meta-data/`;
      await expect(http.get(url), url).rejects.toBeInstanceOf(InvalidTargetError);
      await expect(request(url, { dispatcher: guard.dispatcher }), url).rejects.toBeInstanceOf(
        InvalidTargetError,
      );
    }
    expect(dials).toEqual([]);
  });

  it('T8b: refuses a name resolving to any private address, even among good ones', async () => {
    const table = Object.fromEntries(
      privateTargets.map((ip, i) => [
        `n${i}.example.test`,
        ['127.0.0.2', ip.replace(/[[\]]/g, '')],
      ]),
    );
    const { guard, http } = client(fakeDns(table).lookup);
    for (const name of Object.keys(table)) {
      const url = `http://${name}:${port}/`;
      const err = await http.get(url).catch((e: unknown) => e);
      expect(err, url).toBeInstanceOf(InvalidTargetError);
      expect((err as Error).message).toMatch(
        new RegExp(`Refused to connect to ${name}: it resolves to`),
      );
      await expect(request(url, { dispatcher: guard.dispatcher })).rejects.toBeInstanceOf(
        InvalidTargetError,
      );
    }
    expect(dials).toEqual([]);
    expect(site.hits.size).toBe(0);
  });

  it('names the address and its range in the refusal', async () => {
    const { http } = client(fakeDns({ 'www.x.com': ['10.0.0.1'] }).lookup);
    await expect(http.get('http://www.x.com/')).rejects.toThrow(
      'Refused to connect to www.x.com: it resolves to 10.0.0.1, a private address.',
    );
  });

  it('T8c: resolves once per connection and connects to the checked answer (rebinding)', async () => {
    const answers = ['127.0.0.2', '127.0.0.1'];
    const calls: string[] = [];
    const lookup = (hostname: string): Promise<LookupAddress[]> => {
      calls.push(hostname);
      const address = answers[Math.min(calls.length - 1, answers.length - 1)]!;
      return Promise.resolve([{ address, family: 4 }]);
    };
    const { http } = client(lookup);
    const url = `http://rebind.example.test:${port}/fresh`;

    const first = await http.get(url);
    expect(first.status).toBe(200);
    expect(first.text).toContain('fresh');
    expect(calls).toEqual(['rebind.example.test']);
    expect(dials).toEqual(['127.0.0.2']);

    // /fresh closes the connection, so the second request needs a new one and a new answer.
    await expect(http.get(url)).rejects.toThrow(/resolves to 127\.0\.0\.1, a loopback address/);
    expect(calls).toHaveLength(2);
    expect(dials).toEqual(['127.0.0.2']);
    expect(totalHits(victim)).toBe(0);
    expect(site.hits.get('/fresh')).toBe(1);
  });
});

/**
 * A second classifier, written from the IANA special-purpose registries rather than from
 * ipaddr.js: a BlockList of denied ranges, with 127.0.0.2 allow-listed as in GUARD.
 */
function referenceClassifier(): (ip: string) => boolean {
  // Two lists: Node matches IPv4 addresses against IPv6 rules too (as ::ffff:a.b.c.d).
  const deniedV4 = new BlockList();
  const deniedV6 = new BlockList();
  const v4 = [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '192.31.196.0/24',
    '192.52.193.0/24',
    '192.88.99.0/24',
    '192.168.0.0/16',
    '192.175.48.0/24',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/4',
    '240.0.0.0/4',
  ];
  // IPv6: everything outside global unicast 2000::/3, plus the special blocks inside it.
  const v6 = [
    '::/3',
    '4000::/2',
    '8000::/1',
    '2001::/23',
    '2001:db8::/32',
    '2002::/16',
    '2620:4f:8000::/48',
    '3fff::/20',
  ];
  for (const cidr of v4) addSubnet(deniedV4, cidr, 'ipv4');
  for (const cidr of v6) addSubnet(deniedV6, cidr, 'ipv6');
  return (ip) => {
    // The guard judges an IPv4-mapped IPv6 address as the IPv4 address inside it.
    const v4inside = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
    const v4 = v4inside ?? (net.isIPv4(ip) ? ip : undefined);
    if (v4 !== undefined) return v4 === '127.0.0.2' || !deniedV4.check(v4, 'ipv4');
    return !deniedV6.check(ip, 'ipv6');
  };
}

function addSubnet(list: BlockList, cidr: string, family: 'ipv4' | 'ipv6'): void {
  const [network, bits] = cidr.split('/') as [string, string];
  list.addSubnet(network, Number(bits), family);
}

/** First, last and neighbouring addresses around every IPv4 boundary in the table. */
function boundaryAddresses(): string[] {
  const edges = [
    [0, 0, 0, 0],
    [1, 0, 0, 0],
    [9, 255, 255, 255],
    [10, 0, 0, 0],
    [10, 255, 255, 255],
    [11, 0, 0, 0],
    [100, 63, 255, 255],
    [100, 64, 0, 0],
    [100, 127, 255, 255],
    [100, 128, 0, 0],
    [126, 255, 255, 255],
    [127, 0, 0, 2],
    [128, 0, 0, 0],
    [169, 253, 255, 255],
    [169, 254, 0, 0],
    [169, 255, 0, 0],
    [172, 15, 255, 255],
    [172, 16, 0, 0],
    [172, 31, 255, 255],
    [172, 32, 0, 0],
    [192, 0, 1, 0],
    [192, 167, 255, 255],
    [192, 168, 0, 0],
    [192, 169, 0, 0],
    [198, 17, 255, 255],
    [198, 18, 0, 0],
    [198, 19, 255, 255],
    [198, 20, 0, 0],
    [223, 255, 255, 255],
    [224, 0, 0, 0],
    [239, 255, 255, 255],
    [240, 0, 0, 0],
    [255, 255, 255, 255],
  ];
  const v4 = edges.map((o) => o.join('.'));
  const v6 = [
    '::',
    '::1',
    '::2',
    '1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '2000::',
    '2001::',
    '2001:1ff:ffff::',
    '2001:200::',
    '2001:db7:ffff::',
    '2001:db8::',
    '2001:db9::',
    '2002::',
    '2003::',
    '2620:4f:7fff::',
    '2620:4f:8000::',
    '2620:4f:8001::',
    '3ffe:ffff::',
    '3fff::',
    '3fff:1000::',
    '4000::',
    'fc00::',
    'fe80::',
    'ff00::',
  ];
  return [...v4, ...v4.map((ip) => `::ffff:${ip}`), ...v6];
}

/** Uniform IPv4, IPv4-mapped and prefix-biased IPv6 addresses from a seeded generator. */
function randomAddresses(random: () => number, count: number): string[] {
  const hextet = () => Math.floor(random() * 0x10000).toString(16);
  const octet = () => Math.floor(random() * 256);
  const prefixes = [
    0, 0x64, 0x100, 0x2001, 0x2002, 0x2400, 0x2620, 0x3fff, 0x5f00, 0xfc00, 0xfd00, 0xfe80, 0xfec0,
    0xff02,
  ];
  const out: string[] = [];
  while (out.length < count) {
    const v4 = `${octet()}.${octet()}.${octet()}.${octet()}`;
    out.push(v4);
    if (out.length % 8 === 1) out.push(`::ffff:${v4}`);
    const pick = Math.floor(random() * (prefixes.length + 2));
    const first = (prefixes[pick] ?? Math.floor(random() * 0x10000)).toString(16);
    out.push([first, ...Array.from({ length: 7 }, hextet)].join(':'));
  }
  return out;
}

/** Small seeded PRNG so a failure reproduces exactly. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
