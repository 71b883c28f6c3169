// SSRF guard: decides which IP addresses a job may reach and enforces it on every connection.
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, type Dispatcher } from 'undici';

import { InvalidTargetError } from './errors.js';
import type { AddressGuardOptions } from './http.types.js';

/** Resolves a host name to every address it has; injectable so tests can fake DNS. */
export type ResolveHost = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface AddressGuard {
  /** True when a connection to `ip` is allowed (public unicast, or allowed by config). */
  isAllowedAddress(ip: string): boolean;
  /** Checks scheme, userinfo, length and IP-literal hosts; throws InvalidTargetError. */
  assertUrl(url: URL): void;
  /**
   * Resolves `hostname` and refuses it (InvalidTargetError) if any address is disallowed. For
   * requests sent through a proxy, which dials the target itself: the check happens up front.
   */
  checkHost(hostname: string): Promise<void>;
  /** An undici dispatcher that resolves, checks and pins every connection it opens. */
  dispatcher: Dispatcher;
}

export interface AddressGuardDeps {
  /** Replaces the system resolver (tests use it to simulate DNS rebinding). */
  lookup?: ResolveHost;
}

/** Longest URL we fetch; longer ones are refused before any work. */
export const MAX_URL_LENGTH = 2048;
/** Connect budget for one socket (the total request budget is the client's). */
const CONNECT_TIMEOUT_MS = 10_000;
/** Errors after which the next resolved address is worth trying. */
const DIAL_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

// Only 2000::/3 is allocated for global unicast; ipaddr.js calls some addresses outside it
// (e.g. the deprecated IPv4-compatible ::7f00:1) "unicast", so IPv6 must also sit in here.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

const RANGE_WORDS: Record<string, string> = {
  private: 'a private address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  carrierGradeNat: 'a carrier-grade NAT address',
  uniqueLocal: 'a private (unique-local) address',
  rfc6052: 'a NAT64 address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
};

/** Builds the guard for one configuration; share it, its dispatcher pools connections. */
export function createAddressGuard(
  opts: AddressGuardOptions,
  deps: AddressGuardDeps = {},
): AddressGuard {
  const allowCidrs = opts.allowCidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  const resolve: ResolveHost = deps.lookup ?? ((host) => dnsLookup(host, { all: true }));

  /** Why `ip` is refused, or undefined when it is allowed. */
  function refusalReason(ip: string): string | undefined {
    if (isIP(ip) === 0 || !ipaddr.isValid(ip)) return 'not a valid IP address';
    const raw = ipaddr.parse(ip);
    // Unwrap ::ffff:a.b.c.d so a mapped loopback is judged as the IPv4 loopback it is.
    const addr = ipaddr.process(ip);
    if (opts.allowPrivate) return undefined;
    const inAllowList = allowCidrs.some(
      ([net, bits]) =>
        (addr.kind() === net.kind() && addr.match(net, bits)) ||
        (raw.kind() === net.kind() && raw.match(net, bits)),
    );
    if (inAllowList) return undefined;
    const range = addr.range();
    if (range !== 'unicast') return RANGE_WORDS[range] ?? `a reserved address (${range})`;
    if (addr.kind() === 'ipv6' && !addr.match(GLOBAL_UNICAST_V6)) return 'a reserved address';
    return undefined;
  }

  function isAllowedAddress(ip: string): boolean {
    return refusalReason(ip) === undefined;
  }

  function assertUrl(url: URL): void {
    assertUrlShape(url);
    const host = bareHost(url.hostname);
    // RFC 6761: localhost names are loopback whatever DNS says, so refuse them up front.
    if (!opts.allowPrivate && /(^|\.)localhost\.?$/i.test(host)) {
      throw new InvalidTargetError(`Refused to connect to ${host}: it is a loopback name.`);
    }
    if (isIP(host) === 0) return;
    // Node skips the lookup hook for IP literals, so they are judged here, before any dial.
    const reason = refusalReason(host);
    if (reason) throw new InvalidTargetError(`Refused to connect to ${host}: it is ${reason}.`);
  }

  /** Every address of `hostname`, refusing the lot if any one of them is disallowed. */
  async function resolveChecked(hostname: string): Promise<string[]> {
    if (isIP(hostname) !== 0) {
      const reason = refusalReason(hostname);
      if (reason)
        throw new InvalidTargetError(`Refused to connect to ${hostname}: it is ${reason}.`);
      return [hostname];
    }
    const answers = await resolve(hostname);
    if (answers.length === 0) {
      throw Object.assign(new Error(`Could not resolve ${hostname}`), { code: 'ENOTFOUND' });
    }
    // One bad answer refuses the name: an attacker controls the order of answers.
    for (const { address } of answers) {
      const reason = refusalReason(address);
      if (reason) {
        throw new InvalidTargetError(
          `Refused to connect to ${hostname}: it resolves to ${address}, ${reason}.`,
        );
      }
    }
    return answers.map((a) => a.address);
  }

  const dispatcher = new Agent({
    connect: createGuardedConnector(resolveChecked, refusalReason),
  });

  async function checkHost(hostname: string): Promise<void> {
    await resolveChecked(bareHost(hostname));
  }

  return { isAllowedAddress, assertUrl, checkHost, dispatcher };
}

/** Scheme, userinfo and length checks that apply to every URL, mapped origins included. */
export function assertUrlShape(url: URL): void {
  if (url.href.length > MAX_URL_LENGTH) {
    throw new InvalidTargetError(`The URL is longer than ${MAX_URL_LENGTH} characters.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidTargetError(
      `Refused '${url.href.slice(0, 200)}': only http and https URLs can be fetched.`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidTargetError('Refused a URL with a user name or password in it.');
  }
}

type ConnectCallbackArgs = Parameters<buildConnector.Callback>;

/**
 * Wraps undici's connector: resolve once, check every answer, then dial the checked address
 * itself (an IP literal, so Node never resolves again and a rebinding DNS answer is never
 * consulted). The peer address is checked again once the socket is up.
 */
function createGuardedConnector(
  resolveChecked: (hostname: string) => Promise<string[]>,
  refusalReason: (ip: string) => string | undefined,
): buildConnector.connector {
  // The inner connector only ever sees IP literals; its lookup refuses anything else so a
  // future code path that hands it a name cannot bypass the check.
  const inner = buildConnector({ timeout: CONNECT_TIMEOUT_MS, lookup: refuseLookup });

  return (options, callback) => {
    const dial = (addresses: string[], index: number): void => {
      const address = addresses[index];
      if (address === undefined) return;
      const onConnect = (...result: ConnectCallbackArgs): void => {
        const [err, socket] = result;
        if (err !== null) {
          const code = (err as NodeJS.ErrnoException).code ?? '';
          if (index + 1 < addresses.length && DIAL_FAILURES.has(code)) {
            dial(addresses, index + 1);
            return;
          }
          callback(err, null);
          return;
        }
        const peer = socket.remoteAddress;
        const reason = peer === undefined ? 'not connected' : refusalReason(peer);
        if (reason) {
          socket.destroy();
          callback(
            new InvalidTargetError(
              `Refused to connect to ${options.hostname}: the connection reached ${peer ?? 'nothing'}, ${reason}.`,
            ),
            null,
          );
          return;
        }
        callback(null, socket);
      };
      try {
        inner({ ...options, hostname: address }, onConnect);
      } catch (err) {
        // Runs inside a promise callback: a throw here would never reach undici otherwise.
        callback(err instanceof Error ? err : new Error(String(err)), null);
      }
    };

    resolveChecked(options.hostname).then(
      (addresses) => dial(addresses, 0),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
}

/** A `net.connect` lookup that never resolves: the guarded connector passes only IPs. */
function refuseLookup(
  hostname: string,
  _options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family?: number) => void,
): void {
  callback(
    new InvalidTargetError(`Refused to connect to ${hostname}: it was not checked first.`),
    '',
  );
}

/** `[::1]` → `::1`; WHATWG URL keeps the brackets on IPv6 hostnames. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
