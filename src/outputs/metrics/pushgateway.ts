import { ConfigError } from '../../core/errors.js';
import { isLoopbackHost } from '../../core/loopback.js';
import { dispatcherTo, proxyFor, type Proxies } from '../../core/proxy.js';
import { postOnce } from '../../stages/7-send/http-exchange.js';
import { metricsRegistry } from './metrics-registry.js';
import type { RunMetrics } from './run-metrics.js';

/** The Pushgateway job every run pushes under; `pipeline` and `target` are the grouping key. */
export const PUSH_JOB = 'propel_etl';

/** A Pushgateway to push to: its URL without credentials (safe to print) and the Authorization header they make. */
export interface Pushgateway {
  readonly url: URL;
  /** `https://user:password@host/` becomes basic authentication; the URL kept here holds no credentials. */
  readonly authorization?: string;
  /** The proxy its pushes go through, if the environment names one for it. */
  readonly proxy?: URL;
}

/**
 * Checks a Pushgateway URL before the run: https, or plain http to this machine only (as for
 * targets). Messages show scheme, host and path, never credentials.
 */
export function parsePushgateway(value: string, key: string, proxies: Proxies): Pushgateway {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${key} is not a URL`, { key });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError(`${key} must be an http(s) URL; got ${url.protocol}`, { key });
  const authorization =
    url.username !== '' || url.password !== ''
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
      : undefined;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(`${key} must use https (plain http only to localhost/127.0.0.1); got http://${url.host}`, { key });
  }
  const proxy = proxyFor(url, proxies);
  return { url, ...(authorization !== undefined ? { authorization } : {}), ...(proxy !== undefined ? { proxy } : {}) };
}

/** `/metrics/job/propel_etl/pipeline/<p>/target/<t>` under the gateway's own path. */
export function groupUrl(gateway: URL, run: Pick<RunMetrics, 'pipeline' | 'target'>): string {
  const base = gateway.pathname.replace(/\/+$/, '');
  return new URL(`${base}/metrics/job/${PUSH_JOB}/pipeline${segment(run.pipeline)}/target${segment(run.target)}`, gateway).href;
}

/**
 * A label value in the path: the Pushgateway's `@base64` form when it would not survive as a
 * path segment (empty, or holding a slash).
 */
function segment(value: string): string {
  return value === '' || value.includes('/')
    ? `@base64/${Buffer.from(value).toString('base64url') || '='}`
    : `/${encodeURIComponent(value)}`;
}

/**
 * Pushes one run's gauges to its group with POST, which replaces only the metrics it sends: a
 * failed run sends no last-success sample, so the gateway keeps the one of the last run that
 * completed. Connect, answer and body together within `timeoutMs`. Throws on anything but 2xx.
 */
export async function pushRun(gateway: Pushgateway, run: RunMetrics, timeoutMs: number): Promise<void> {
  const registry = await metricsRegistry([run]);
  const body = await registry.metrics();
  const client = dispatcherTo(gateway.url, gateway.proxy, { timeout: timeoutMs });
  try {
    const headers: Record<string, string> = { 'content-type': registry.contentType };
    if (gateway.authorization !== undefined) headers.authorization = gateway.authorization;
    const answer = await postOnce(client, groupUrl(gateway.url, run), headers, body, timeoutMs);
    if (answer.status < 200 || answer.status > 299) {
      const said = answer.text.replace(/\s+/g, ' ').trim().slice(0, 300);
      throw new Error(`HTTP ${answer.status}${said !== '' ? `: ${said}` : ''}`);
    }
  } finally {
    await client.destroy();
  }
}
