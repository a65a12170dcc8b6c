/**
 * The SDK client for a source: credentials from the SDK's default chain (environment, shared
 * config and profiles, web identity, instance metadata) unless the library caller passes its
 * own; the endpoint from `s3-endpoint.ts`. Requests are retried by the SDK (throttling, 5xx,
 * connection errors) before any failure reaches the run. A proxy in the environment is taken as
 * the SDK's guide says, through http(s) agents (hpagent, CONNECT tunnels): core/proxy.ts decides
 * by the endpoint's host, or by `s3.<region>.amazonaws.com` on AWS.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { proxyFor, readProxies } from '../../core/proxy.js';
import { resolveEndpoint } from './s3-endpoint.js';
import type { S3Settings } from './s3-settings.js';

export interface S3ClientOptions {
  readonly settings?: S3Settings;
  readonly env?: NodeJS.ProcessEnv;
  /** Instead of the default chain (the library, tests). */
  readonly credentials?: S3ClientConfig['credentials'];
  /** Attempts per request, the first included. */
  readonly maxAttempts?: number;
}

/** Attempts per request: with the SDK's backoff (up to 20 s apart) a blip of a few seconds passes. */
const DEFAULT_MAX_ATTEMPTS = 4;

/** A socket silent this long is a dead connection: a stalled body is then resumed from the byte reached. */
const SOCKET_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

export interface ConfiguredClient {
  readonly client: S3Client;
  /** Scheme and host of a custom endpoint, for messages; undefined for AWS. */
  readonly endpoint: string | undefined;
  readonly maxAttempts: number;
}

/**
 * The SDK warns, in several lines on stderr, that its releases after January 2027 will need
 * Node 22. It says nothing about this run, and it would break the one-line errors and JSON log
 * lines on stderr; the SDK's own switch turns it off unless the user set it.
 */
function quietNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export function createS3Client(options: S3ClientOptions = {}): ConfiguredClient {
  quietNodeVersionWarning();
  const env = options.env ?? process.env;
  const settings = options.settings ?? {};
  const endpoint = resolveEndpoint(settings.endpoint, env);
  const region = settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const reached = endpoint?.url ?? new URL(`https://s3.${region !== undefined && region !== '' ? region : 'us-east-1'}.amazonaws.com`);
  const proxy = proxyFor(reached, readProxies(env));
  const agents =
    proxy === undefined
      ? {}
      : {
          httpAgent: new HttpProxyAgent({ proxy, keepAlive: true, timeout: SOCKET_TIMEOUT_MS }),
          httpsAgent: new HttpsProxyAgent({ proxy, keepAlive: true, timeout: SOCKET_TIMEOUT_MS }),
        };
  const client = new S3Client({
    ...(endpoint !== undefined ? { endpoint: endpoint.url.href } : {}),
    // An S3-compatible service ignores the region but the signature needs one.
    ...(region !== undefined && region !== '' ? { region } : endpoint !== undefined ? { region: 'us-east-1' } : {}),
    forcePathStyle: settings.forcePathStyle ?? endpoint !== undefined,
    // A bucket in another AWS region than the one configured still answers.
    followRegionRedirects: true,
    maxAttempts,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: SOCKET_TIMEOUT_MS, ...agents },
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  });
  return { client, endpoint: endpoint !== undefined ? `${endpoint.url.protocol}//${endpoint.url.host}` : undefined, maxAttempts };
}
