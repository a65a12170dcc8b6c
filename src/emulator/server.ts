/**
 * The Propel emulator: a real HTTP server (node:http) with the token endpoint, the two bulk
 * endpoints, fault injection and read-back routes for tests. Listens on 127.0.0.1 by default.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { lookupKey, RESOURCES, type ResourceName } from '../core/resource.js';
import { handleBulk, type BulkOutcome } from './bulk-handler.js';
import { FaultState, faultsProblem, type Faults } from './faults.js';
import { readBody, sendJson } from './http-io.js';
import { propelErrors } from './propel-errors.js';
import type { Directive } from './directives.js';
import { RequestLog, type LogStatus } from './request-log.js';
import { EmulatorStore } from './store.js';
import { loadStateFile, stateSaver, type StateSaver } from './state-file.js';
import { DEFAULT_CLIENT, TokenStore, type EmulatorClient, type TokenShape } from './token-store.js';

export { DEFAULT_CLIENT } from './token-store.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default: one client, DEFAULT_CLIENT. */
  clients?: readonly EmulatorClient[];
  /** Default 1800 (Propel's 30 minutes). */
  tokenLifetimeSec?: number;
  /** Which documented token response shape to answer with. Default 'number'. */
  tokenShape?: TokenShape;
  faults?: Faults;
  /** How many recent bulk requests the log keeps. Default 1000. */
  logLimit?: number;
  /** Bulk request bodies above this are answered 413. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Keep the store in this JSON file: loaded at start, saved shortly after each change and at close. */
  stateFile?: string;
  /** What time it is, for token lifetimes and the request log (tests move it). Default Date.now. */
  now?: () => number;
}

export interface Emulator {
  /** e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  /** origin + '/v2', the REST base URL */
  readonly baseUrl: string;
  /** origin + '/oauth2/token' */
  readonly tokenUrl: string;
  readonly store: EmulatorStore;
  readonly log: RequestLog;
  /** The client credentials it accepts (an embedding run uses the first). */
  readonly clients: readonly EmulatorClient[];
  /** Replaces the fault set (what is not given is off); `expireTokens` acts once. */
  setFaults(faults: Faults): void;
  /** Tokens the token endpoint has issued so far. */
  tokensIssued(): number;
  /**
   * Bulk requests being handled now: received, and not yet both answered (or given up by their
   * client) and done with. A request whose client went away still counts until it is logged.
   */
  inFlight(): number;
  /** Stops listening and ends every connection, hung ones included. */
  close(): Promise<void>;
}

const FORM_LIMIT = 64 * 1024;

interface State {
  readonly options: Required<Pick<EmulatorOptions, 'tokenLifetimeSec' | 'tokenShape' | 'maxBodyBytes'>>;
  readonly store: EmulatorStore;
  readonly log: RequestLog;
  readonly tokens: TokenStore;
  readonly faults: FaultState;
  readonly closing: AbortController;
  readonly saver: StateSaver | undefined;
  readonly now: () => number;
  inFlight: number;
  tokensIssued: number;
  setFaults(faults: Faults): void;
}

function credentials(req: IncomingMessage, form: URLSearchParams): { id: string; secret: string } | undefined {
  // RFC 6749 lets a client send its credentials as HTTP Basic instead of form fields.
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id === null || secret === null ? undefined : { id, secret };
}

async function tokenRoute(req: IncomingMessage, res: ServerResponse, s: State): Promise<void> {
  const read = await readBody(req, FORM_LIMIT);
  if (!read.ok) {
    sendJson(res, 400, { error: 'invalid_request' });
    return;
  }
  const form = new URLSearchParams(read.text);
  if (form.get('grant_type') !== 'client_credentials') {
    sendJson(res, 400, { error: 'unsupported_grant_type' });
    return;
  }
  const client = credentials(req, form);
  if (client === undefined || !s.tokens.authenticate(client.id, client.secret)) {
    sendJson(res, 401, { error: 'invalid_client' });
    return;
  }
  const lifetime = s.faults.tokenLifetimeSec ?? s.options.tokenLifetimeSec;
  s.tokensIssued++;
  sendJson(res, 200, s.tokens.issue(client.id, lifetime, s.options.tokenShape), { 'cache-control': 'no-store' });
}

function itemKeys(resource: ResourceName, body: unknown): string[] {
  const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[RESOURCES[resource].listKey] : undefined;
  if (!Array.isArray(list)) return [];
  const keys: string[] = [];
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const key = lookupKey(resource, item as Record<string, unknown>);
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

async function bulkRoute(req: IncomingMessage, res: ServerResponse, s: State, resource: ResourceName, path: string): Promise<void> {
  const read = await readBody(req, s.options.maxBodyBytes);
  const time = s.now();
  if (!read.ok) {
    if (read.reason === 'too-large')
      sendJson(res, 413, propelErrors.undocumented(413, `request body larger than ${s.options.maxBodyBytes} bytes`));
    return;
  }
  let parsed: { ok: true; value: unknown } | { ok: false; error: string };
  try {
    parsed = { ok: true, value: JSON.parse(read.text) as unknown };
  } catch (e) {
    parsed = { ok: false, error: e instanceof Error ? e.message : 'invalid JSON' };
  }
  const keys = parsed.ok ? itemKeys(resource, parsed.value) : [];
  const log = (status: LogStatus, directives: readonly Directive[] = []): void => s.log.record({ time, path, status, keys, directives });

  const capacity = s.faults.capacity;
  if (capacity !== undefined && s.inFlight >= capacity) {
    log(429);
    sendJson(res, 429, propelErrors.undocumented(429, 'too many concurrent requests'), { 'retry-after': '1' });
    return;
  }
  s.inFlight++;
  // Counted out once the connection is done with and the request handled: a client that is
  // killed mid-request closes the connection first, and its request is still applied after.
  let ends = 0;
  const end = (): void => {
    if (++ends === 2) s.inFlight--;
  };
  res.once('close', end);
  try {
    await handleAdmitted(req, res, s, resource, parsed, log);
  } finally {
    end();
  }
}

async function handleAdmitted(
  req: IncomingMessage,
  res: ServerResponse,
  s: State,
  resource: ResourceName,
  parsed: { ok: true; value: unknown } | { ok: false; error: string },
  log: (status: LogStatus, directives?: readonly Directive[]) => void,
): Promise<void> {
  if (s.faults.latencyMs > 0) {
    try {
      await sleep(s.faults.latencyMs, undefined, { signal: s.closing.signal });
    } catch {
      return; // the emulator is closing; its connections are being destroyed
    }
  }
  const fault = s.faults.next();
  switch (fault.kind) {
    case 'drop':
      log('dropped');
      req.socket.destroy();
      return;
    case 'hang':
      log('hung');
      return;
    case 'fail':
      log(fault.status);
      sendJson(
        res,
        fault.status,
        propelErrors.undocumented(fault.status, 'injected fault'),
        fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) },
      );
      return;
    case 'none':
      break;
  }
  if (!s.tokens.accepts(req.headers.authorization)) {
    log(401);
    sendJson(res, 401, propelErrors.undocumented(401, 'missing, invalid or expired access token'), { 'www-authenticate': 'Bearer' });
    return;
  }
  if (!parsed.ok) {
    log(400);
    sendJson(res, 400, propelErrors.invalidJson(parsed.error));
    return;
  }
  const outcome = handleBulk(
    {
      store: s.store,
      refuses: (key) => s.faults.refuses(key),
      invalid: (key) => s.faults.invalid(key),
      opaque: (key) => s.faults.opaque(key),
    },
    resource,
    parsed.value,
  );
  if (outcome.status === 200) s.saver?.changed();
  if (outcome.status === 200 && s.faults.reverseResults) outcome.body.data.reverse();
  if (s.faults.echoToken) echoAuthorization(outcome, req.headers.authorization ?? '');
  // A client that went away (killed, timed out) while this was handled never learns it was
  // applied: the store keeps it, as Propel would, but the log does not count it as acknowledged.
  log(res.destroyed || req.socket.destroyed ? 'abandoned' : outcome.status, outcome.directives);
  sendJson(res, outcome.status, outcome.body);
}

/** The echoToken fault: each refusal quotes the request's Authorization header. */
function echoAuthorization(outcome: BulkOutcome, authorization: string): void {
  const quote = ` (request authorization: ${authorization})`;
  if (outcome.status === 200) {
    for (const item of outcome.body.data) if (item.error !== undefined) item.error += quote;
  } else {
    outcome.body.error.messages = outcome.body.error.messages.map((m) => m + quote);
  }
}

async function faultsRoute(req: IncomingMessage, res: ServerResponse, s: State): Promise<void> {
  const read = await readBody(req, FORM_LIMIT);
  if (!read.ok) return;
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch {
    sendJson(res, 400, propelErrors.invalidJson('fault set is not JSON'));
    return;
  }
  const problem = faultsProblem(value);
  if (problem !== undefined) {
    sendJson(res, 400, propelErrors.undocumented(400, problem));
    return;
  }
  s.setFaults(value as Faults);
  sendJson(res, 200, { faults: value });
}

async function route(req: IncomingMessage, res: ServerResponse, s: State): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://emulator').pathname;
  const usersPath = `/v2${RESOURCES.users.path}`;
  const usergroupsPath = `/v2${RESOURCES.usergroups.path}`;
  switch (`${req.method ?? ''} ${path}`) {
    case 'POST /oauth2/token':
      return tokenRoute(req, res, s);
    case `POST ${usersPath}`:
      return bulkRoute(req, res, s, 'users', path);
    case `POST ${usergroupsPath}`:
      return bulkRoute(req, res, s, 'usergroups', path);
    case 'POST /__emulator/faults':
      return faultsRoute(req, res, s);
    case 'POST /__emulator/reset':
      req.resume();
      s.store.clear();
      s.saver?.changed();
      s.log.clear();
      s.setFaults({});
      sendJson(res, 200, { reset: true });
      return;
    case 'GET /__emulator/store/users':
      sendJson(res, 200, s.store.users());
      return;
    case 'GET /__emulator/store/usergroups':
      sendJson(res, 200, s.store.usergroups());
      return;
    case 'GET /__emulator/log':
      sendJson(res, 200, s.log.snapshot());
      return;
    default:
      req.resume();
      sendJson(res, 404, propelErrors.notFound(`No route for ${req.method ?? ''} ${path}`));
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const store = new EmulatorStore();
  const log = new RequestLog(options.logLimit);
  const clients = options.clients ?? [DEFAULT_CLIENT];
  const now = options.now ?? Date.now;
  const tokens = new TokenStore(clients, now);
  const faults = new FaultState(options.faults);
  if (options.stateFile !== undefined) await loadStateFile(options.stateFile, store);
  const state: State = {
    options: {
      tokenLifetimeSec: options.tokenLifetimeSec ?? 1800,
      tokenShape: options.tokenShape ?? 'number',
      maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
    },
    store,
    log,
    tokens,
    faults,
    closing: new AbortController(),
    saver: options.stateFile !== undefined ? stateSaver(options.stateFile, store) : undefined,
    now,
    inFlight: 0,
    tokensIssued: 0,
    setFaults(f: Faults): void {
      faults.set(f);
      if (f.expireTokens === true) tokens.expireAll();
    },
  };

  const server = createServer((req, res) => {
    route(req, res, state).catch((e: unknown) => {
      sendJson(res, 500, propelErrors.undocumented(500, e instanceof Error ? e.message : 'emulator failure'));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    origin,
    clients,
    baseUrl: `${origin}/v2`,
    tokenUrl: `${origin}/oauth2/token`,
    store,
    log,
    setFaults: (f) => state.setFaults(f),
    tokensIssued: () => state.tokensIssued,
    inFlight: () => state.inFlight,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        state.closing.abort();
        server.close(() => resolve());
        // Keep-alive and hung requests would otherwise hold server.close() open indefinitely.
        server.closeAllConnections();
      }).then(async () => {
        // Also what tests seeded directly into the store, which no request marked as changed.
        state.saver?.changed();
        await state.saver?.flush();
      });
      return closed;
    },
  };
}
