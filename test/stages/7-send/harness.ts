/**
 * Small real HTTP servers on 127.0.0.1 for the sender's tests, and batch builders. Each test
 * scripts the server's answers through a handler, so every retry path is a real exchange.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach } from 'vitest';
import type { Batch, ItemRecord } from '../../../src/core/record.js';
import { lookupKey, RESOURCES } from '../../../src/core/resource.js';
import { BulkClient, type BulkClientOptions } from '../../../src/stages/7-send/bulk-client.js';
import { TokenProvider } from '../../../src/stages/7-send/token-provider.js';
import { ItemBytes } from '../../../src/core/item-bytes.js';
import { VirtualClock } from '../../support/virtual-clock.js';

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly text: string;
  readonly at: number;
}

export type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  readonly origin: string;
  readonly seen: Seen[];
  /** Requests currently being handled, and the most ever at once. */
  readonly load: { current: number; max: number };
  close(): Promise<void>;
}

export type BulkHandler = (req: Seen, res: ServerResponse, n: number) => void | Promise<void>;

export interface ScriptedPropel {
  readonly server: TestServer;
  /** The requests to the users' bulk endpoint, in order. */
  bulkCalls(): Seen[];
}

/** Where the clients under test post users: the base URL's /v2 and the resource's path. */
const BULK_PATH = `/v2${RESOURCES.users.path}`;

/**
 * Servers for one test at a time, closed after each (call at the top of a test file):
 * `propel(bulk)` is a Propel stand-in with numbered tokens at /oauth2/token and `bulk` answering
 * the users' bulk endpoint (n = 1-based bulk call); `start(handler)` is any other server.
 */
export function serversPerTest(): { propel(bulk: BulkHandler): Promise<ScriptedPropel>; start(handler: Handler): Promise<TestServer> } {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (handler: Handler): Promise<TestServer> => {
    server = await startServer(handler);
    return server;
  };
  return {
    start,
    async propel(bulk) {
      let tokens = 0;
      let calls = 0;
      const s = await start((req, res) => {
        if (req.url === '/oauth2/token') return tokenAnswer(res, ++tokens);
        if (req.url !== BULK_PATH) return json(res, 404, { error: { code: 10008, messages: ['not found'] } });
        return bulk(req, res, ++calls);
      });
      return { server: s, bulkCalls: () => s.seen.filter((r) => r.url === BULK_PATH) };
    },
  };
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const load = { current: 0, max: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        text: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      seen.push(s);
      load.current++;
      load.max = Math.max(load.max, load.current);
      let done = false;
      const finish = (): void => {
        if (!done) {
          done = true;
          load.current--;
        }
      };
      res.on('close', finish);
      Promise.resolve(handler(s, res)).catch((e: unknown) => {
        res.statusCode = 599;
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    load,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A users batch; `ids` are the sourceIds, all from source ERP. */
export function userBatch(
  seq: number,
  ids: readonly (string | number)[],
  extra: (id: string | number) => Record<string, unknown> = () => ({}),
): Batch {
  const records: ItemRecord[] = ids.map((id, i) => {
    const item = { source: 'ERP', sourceId: String(id), ...extra(id) };
    return {
      kind: 'item',
      prov: { file: 'users.csv', line: i + 2, seq: seq * 1000 + i },
      item,
      key: lookupKey('users', item)!,
      source: { customer_no: String(id) },
    };
  });
  const items = ItemBytes.of(records.map((r) => JSON.stringify(r.item)));
  return { kind: 'batch', seq, records, items, bytes: items.length };
}

/** The users a bulk request body carries. */
export function sentUsers(s: Seen): Record<string, unknown>[] {
  return (JSON.parse(s.text) as { users: Record<string, unknown>[] }).users;
}

/** The endpoint's success answer for the given users. */
export function okAnswer(users: readonly Record<string, unknown>[]): unknown {
  return {
    data: users.map((u, i) => ({ action: 'create', id: 1000 + i, key: u.sourceId, lookupKey: 'sourceId', success: true })),
    messages: ['Completed'],
    total: users.length,
  };
}

export const USERS = RESOURCES.users;
export const SECRET = 's3cr3t-do-not-print';

/** Dispatcher for tests: short keep-alive so closed test servers do not leave sockets behind. */
export function testAgent(): Agent {
  return new Agent({ keepAliveTimeout: 1000, connections: 16 });
}

/**
 * A client for the users' bulk endpoint of a test server: 3 retries, 2 s timeout, short backoff,
 * and its waits on virtual time (`extra.clock`, else one of its own that moves as it sleeps),
 * shared with its token provider.
 */
export function bulkClient(s: TestServer, agent: Agent, extra: Partial<BulkClientOptions> = {}): BulkClient {
  const clock = extra.clock ?? new VirtualClock({ autoAdvance: true });
  return new BulkClient({
    baseUrl: `${s.origin}/v2`,
    resource: USERS,
    tokens: tokenProvider(s.origin, agent, { clock }),
    send: { maxRetries: 3, timeoutMs: 2000 },
    dispatcher: agent,
    retry: { baseMs: 20, capMs: 100 },
    clock,
    ...extra,
  });
}

/** A token provider for a test server: 3 retries, short backoff, on virtual time (`extra.clock`, else its own, moving as it sleeps). */
export function tokenProvider(
  origin: string,
  agent: Agent,
  extra: Partial<ConstructorParameters<typeof TokenProvider>[0]> = {},
): TokenProvider {
  return new TokenProvider({
    tokenUrl: `${origin}/oauth2/token`,
    clientId: 'client-1',
    clientSecret: SECRET,
    dispatcher: agent,
    timeoutMs: 2000,
    maxRetries: 3,
    retry: { baseMs: 10, capMs: 50 },
    clock: new VirtualClock({ autoAdvance: true }),
    ...extra,
  });
}

/** Answers the token endpoint with numbered tokens, lifetime `expiresIn`. */
export function tokenAnswer(res: ServerResponse, n: number, expiresIn: number | string = 1800): void {
  json(res, 200, { access_token: `tok-${n}`, token_type: 'Bearer', expires_in: expiresIn, scope: '' });
}
