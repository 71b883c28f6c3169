// The undici dispatchers behind every job's HTTP client. They outlive jobs so that keep-alive
// connections are pooled across them: one guarded agent per guard config, one agent for
// mapped origins, one tunnelling agent per proxy URL.
import { Agent, ProxyAgent } from 'undici';

import { type AddressGuard, createAddressGuard } from './address-guard.js';
import type { AddressGuardOptions } from './http.types.js';

const guards = new Map<string, AddressGuard>();
const proxies = new Map<string, ProxyAgent>();
let mappedAgent: Agent | undefined;

/** The guard (and its pinning dispatcher) for this configuration, made once. */
export function sharedGuard(opts: AddressGuardOptions): AddressGuard {
  const key = JSON.stringify({ allowPrivate: opts.allowPrivate, allowCidrs: [...opts.allowCidrs] });
  let guard = guards.get(key);
  if (!guard) {
    guard = createAddressGuard(opts);
    guards.set(key, guard);
  }
  return guard;
}

/** Mapped origins are operator config (stand-ins, staging), so they skip the address guard. */
export function sharedMappedAgent(): Agent {
  mappedAgent ??= new Agent({ connect: { timeout: 10_000 } });
  return mappedAgent;
}

/**
 * A CONNECT-tunnelling agent for an operator's proxy (http:// or https://, credentials in the
 * URL become Proxy-Authorization). The proxy itself is trusted config and is not guarded;
 * the client checks each target before asking the proxy for it.
 */
export function sharedProxyAgent(proxyUrl: string): ProxyAgent {
  let agent = proxies.get(proxyUrl);
  if (!agent) {
    agent = new ProxyAgent({ uri: proxyUrl, connect: { timeout: 10_000 } });
    proxies.set(proxyUrl, agent);
  }
  return agent;
}
