/**
 * Which proxy a request goes through, one rule for the token, bulk, Pushgateway and S3 requests
 * (the first three through undici, S3 through the AWS SDK's agents): read once from the
 * environment, as curl and Go read it.
 *
 * - `https_proxy`/`HTTPS_PROXY` for https URLs, `http_proxy`/`HTTP_PROXY` for http ones (the
 *   lower-case name wins); neither falls back to the other.
 * - `no_proxy`/`NO_PROXY`: `*`, or a comma- or space-separated list of hosts; `example.com` and
 *   `.example.com` both match the domain and its subdomains; `host:port` only that port.
 * - A host on this machine is never reached through a proxy elsewhere: plain http is allowed only
 *   to loopback because it never leaves the machine, and a remote proxy cannot reach our loopback.
 *
 * A proxy URL's credentials become its Proxy-Authorization and are never printed: messages use
 * {@link proxyLabel}.
 */
import { Pool, ProxyAgent, type Dispatcher } from 'undici';
import { AuthError, ConfigError, ERR } from './errors.js';
import { isLoopbackHost } from './loopback.js';

export interface Proxies {
  readonly http?: URL;
  readonly https?: URL;
  readonly noProxy: readonly NoProxyEntry[] | '*';
}

interface NoProxyEntry {
  /** Lower case, without a leading dot or brackets. */
  readonly host: string;
  readonly port?: number;
}

export const NO_PROXIES: Proxies = { noProxy: [] };

/** The environment's proxies; a variable that is set but not a usable URL is a ConfigError naming it. */
export function readProxies(env: NodeJS.ProcessEnv): Proxies {
  const http = proxyUrl(env, 'http_proxy');
  const https = proxyUrl(env, 'https_proxy');
  const noProxyText = (variable(env, 'no_proxy')?.value ?? '').trim();
  return {
    ...(http !== undefined ? { http } : {}),
    ...(https !== undefined ? { https } : {}),
    noProxy: noProxyText === '*' ? '*' : parseNoProxy(noProxyText),
  };
}

/** The proxy to reach `target` through, or undefined to go straight there. */
export function proxyFor(target: URL, proxies: Proxies): URL | undefined {
  const proxy = target.protocol === 'https:' ? proxies.https : target.protocol === 'http:' ? proxies.http : undefined;
  if (proxy === undefined) return undefined;
  const host = bare(target.hostname);
  if (isLoopbackHost(host) && !isLoopbackHost(bare(proxy.hostname))) return undefined;
  if (proxies.noProxy === '*') return undefined;
  const port = target.port !== '' ? Number(target.port) : target.protocol === 'https:' ? 443 : 80;
  const bypass = proxies.noProxy.some((e) => (e.port === undefined || e.port === port) && (host === e.host || host.endsWith(`.${e.host}`)));
  return bypass ? undefined : proxy;
}

/** A proxy as messages may name it: scheme, host and port, never its credentials. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/**
 * An undici dispatcher for one origin: a pool straight to it, or the proxy's agent. https goes
 * through a CONNECT tunnel, so TLS runs end to end; plain http (loopback only) is forwarded as an
 * absolute-URI request, which proxies allow where they allow CONNECT only to port 443.
 */
export function dispatcherTo(origin: URL, proxy: URL | undefined, connect?: { timeout: number }): Dispatcher {
  if (proxy === undefined) return new Pool(origin.origin, connect !== undefined ? { connect } : {});
  return new ProxyAgent({ uri: proxy.href, proxyTunnel: origin.protocol === 'https:', ...(connect !== undefined ? { connect } : {}) });
}

/**
 * The proxy refused its credentials (407): undici says so as an error, not an answer, both for a
 * forwarded request and for a tunnel. A retry cannot help; the run stops as refused credentials do.
 */
export function proxyRefusal(e: unknown, proxy: URL | undefined): AuthError | undefined {
  if (proxy === undefined || !(e instanceof Error) || !/Proxy Authentication Required \(407\)|Proxy response \(407\)/.test(e.message))
    return undefined;
  return new AuthError(`the proxy ${proxyLabel(proxy)} refused its credentials: check the user and password in its URL`, {
    status: 407,
  });
}

function variable(env: NodeJS.ProcessEnv, lower: string): { name: string; value: string } | undefined {
  for (const name of [lower, lower.toUpperCase()]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value: value.trim() };
  }
  return undefined;
}

function proxyUrl(env: NodeJS.ProcessEnv, lower: string): URL | undefined {
  const found = variable(env, lower);
  if (found === undefined) return undefined;
  // A bare host:port, as some set it, is taken as http://host:port, as curl does.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value) ? found.value : `http://${found.value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${found.name} is not a URL`, { key: found.name }, ERR.CONFIG_PROXY);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `${found.name} must be an http:// or https:// proxy URL; got ${url.protocol}`,
      { key: found.name },
      ERR.CONFIG_PROXY,
    );
  }
  return url;
}

function parseNoProxy(text: string): NoProxyEntry[] {
  const entries: NoProxyEntry[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    if (raw === '') continue;
    if (/^[^[]*:.*:/.test(raw)) {
      // An IPv6 address without brackets (::1): no port can be told apart.
      entries.push({ host: bare(raw) });
      continue;
    }
    const m = /^\.?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw.toLowerCase());
    if (m?.[1] === undefined) continue;
    entries.push({ host: bare(m[1].replace(/^\*\./, '')), ...(m[2] !== undefined ? { port: Number(m[2]) } : {}) });
  }
  return entries;
}

function bare(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, '');
}
