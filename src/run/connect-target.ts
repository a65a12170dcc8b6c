import type { SendSpec } from '../config/pipeline-spec.js';
import { loadTarget, type TargetSpec } from '../config/index.js';
import type { Directive } from '../stages/7-send/request-body.js';
import type { ResourceInfo } from '../core/resource.js';
import type { Emulator, EmulatorOptions } from '../emulator/index.js';
import { NO_PROXIES, proxyFor, readProxies } from '../core/proxy.js';
import { BulkClient } from '../stages/7-send/bulk-client.js';
import type { SendEvent } from '../stages/7-send/send-event.js';
import { TokenProvider } from '../stages/7-send/token-provider.js';
import { RateLimiter } from '../stages/7-send/rate-limiter.js';
import { AdaptiveConcurrency, gateThenLimit } from '../stages/7-send/adaptive-concurrency.js';
import { emulatorIdentity, httpIdentity, type TargetIdentity } from '../state/target-identity.js';

/** A target: its name in config/targets.yaml, a spec given in code, or an emulator to embed. */
export type TargetChoice = string | TargetSpec | { readonly name: string; readonly kind: 'emulator'; readonly options?: EmulatorOptions };

export interface ConnectedTarget {
  readonly name: string;
  readonly client: BulkClient;
  /** Requests sent (retries included), retries, and requests answered 429. */
  readonly stats: { requests: number; retries: number; throttled: number };
  /** Which Propel tenant (or emulator store) this is: a delta state belongs to one. */
  readonly identity: TargetIdentity;
  /** The embedded emulator, for target `local`. */
  readonly emulator?: Emulator;
  /**
   * Fetches the first token: the target is reached (or refuses, or stays down after the retries,
   * each retry an event) before the input is read, so a night with the target down says so at once.
   */
  reach(): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly resource: ResourceInfo;
  readonly send: SendSpec;
  readonly directives: readonly Directive[];
  readonly onEvent?: (e: SendEvent) => void;
}

export async function connectTarget(choice: TargetChoice, opts: ConnectOptions): Promise<ConnectedTarget> {
  const spec = typeof choice === 'string' ? await loadTarget(choice, { env: opts.env, cwd: opts.cwd }) : choice;
  let emulator: Emulator | undefined;
  let endpoint: { baseUrl: string; tokenUrl: string; clientId: string; clientSecret: string };
  let identity: TargetIdentity;
  if (spec.kind === 'emulator') {
    const options: EmulatorOptions = {
      ...('options' in spec ? spec.options : {}),
      ...('stateFile' in spec && spec.stateFile !== undefined ? { stateFile: spec.stateFile } : {}),
    };
    // Imported for the embedded targets only: a run against Propel does not load the server.
    const { startEmulator } = await import('../emulator/server.js');
    emulator = await startEmulator(options);
    const client = emulator.clients[0];
    if (client === undefined) throw new Error('the embedded emulator has no client');
    endpoint = { baseUrl: emulator.baseUrl, tokenUrl: emulator.tokenUrl, clientId: client.id, clientSecret: client.secret };
    identity = emulatorIdentity(spec.name, { storeId: emulator.store.storeId, clientId: client.id }, options.stateFile !== undefined);
  } else {
    endpoint = spec;
    identity = httpIdentity(spec);
  }

  // The embedded emulator is in this process: no proxy stands between.
  const proxies = emulator !== undefined ? NO_PROXIES : readProxies(opts.env);
  const tokenProxy = proxyFor(new URL(endpoint.tokenUrl), proxies);
  const bulkProxy = proxyFor(new URL(endpoint.baseUrl), proxies);
  const stats = { requests: 0, retries: 0, throttled: 0 };
  // send.concurrency: auto gates every HTTP attempt; the send stream's concurrency is then only its ceiling.
  const adaptive = opts.send.adaptive === true ? new AdaptiveConcurrency({ max: opts.send.concurrency }) : undefined;
  const onEvent = (e: SendEvent): void => {
    adaptive?.observe(e);
    if (e.type === 'request') {
      stats.requests++;
      if (e.status === 429) stats.throttled++;
    } else if (e.type === 'retry') stats.retries++;
    opts.onEvent?.(e);
  };
  const tokens = new TokenProvider({
    tokenUrl: endpoint.tokenUrl,
    clientId: endpoint.clientId,
    clientSecret: endpoint.clientSecret,
    ...(tokenProxy !== undefined ? { proxy: tokenProxy } : {}),
    timeoutMs: opts.send.timeoutMs,
    maxRetries: opts.send.maxRetries,
    onRetry: (r) => onEvent({ type: 'token-retry', ...r }),
  });
  const client = new BulkClient({
    baseUrl: endpoint.baseUrl,
    ...(bulkProxy !== undefined ? { proxy: bulkProxy } : {}),
    resource: opts.resource,
    tokens,
    send: opts.send,
    directives: opts.directives,
    onEvent,
    redactor: tokens.redactor,
    ...gateThenLimit(adaptive, opts.send.rate !== undefined ? new RateLimiter({ rate: opts.send.rate }) : undefined),
  });
  return {
    name: spec.name,
    client,
    stats,
    identity,
    ...(emulator !== undefined ? { emulator } : {}),
    async reach() {
      await tokens.get();
    },
    async close() {
      await client.close();
      await tokens.close();
      await emulator?.close();
    },
  };
}
