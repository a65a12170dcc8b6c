/** Shared setup for the source end-to-end tests: pipeline files, run-folder reading, a connection counter. */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import { startEmulator, DEFAULT_CLIENT, type Emulator } from '../../src/emulator/index.js';
import { tempDir } from '../support/files.js';
import { writeUsersPipeline } from '../support/pipeline.js';

export const SECRET = 'e2e-Sources-Secret-93';

/**
 * A fresh emulator per scenario (each test sets its own faults and reads its own store), all
 * closed once the file is done. Call at the top level of a test file.
 */
export function emulatorPerScenario(): () => Promise<Emulator> {
  const opened: Emulator[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((e) => e.close()));
  });
  return async () => {
    const emu = await startEmulator({ clients: [{ id: DEFAULT_CLIENT.id, secret: SECRET }] });
    opened.push(emu);
    return emu;
  };
}

/** The mapping every flat source (CSV, NDJSON) in these tests uses. */
export const FLAT_MAPPING = {
  source: { value: 'ERP' },
  sourceId: 'id',
  language: { value: 'NL' },
  firstName: 'first',
  lastName: 'last',
  email: { from: 'email', transform: ['trim', 'lower'] },
} as const;

/** The flat mapping without `email`, for CSV files that have no such column (a mapped column must be in every header). */
export const CSV_MAPPING = Object.fromEntries(Object.entries(FLAT_MAPPING).filter(([k]) => k !== 'email'));

export function tmp(prefix: string): Promise<string> {
  return tempDir(`e2e-sources-${prefix}-`);
}

/** A pipeline file; small batches so a run makes several requests. */
export function writePipeline(
  dir: string,
  name: string,
  source: Record<string, unknown>,
  mapping: Record<string, unknown> = FLAT_MAPPING,
  batchSize = 2,
): Promise<string> {
  return writeUsersPipeline(dir, `${name}.json`, {
    name,
    source,
    mapping,
    batchSize,
    send: { concurrency: 2, maxRetries: 2, timeout: '10s' },
  });
}

/** A user item as the flat mapping makes it. */
export function user(id: string, first: string, last: string, email?: string): Record<string, unknown> {
  return { source: 'ERP', sourceId: id, language: 'NL', firstName: first, lastName: last, ...(email !== undefined ? { email } : {}) };
}

/** The provenance of each result line, in the order of the source, for exact comparison. */
export function provenance(lines: readonly Record<string, unknown>[], ...fields: string[]): unknown[][] {
  const order = (r: Record<string, unknown>): string => `${String(r.file)}|${String(r.entry ?? '')}|${String(r.line).padStart(6, '0')}`;
  return [...lines].sort((a, b) => order(a).localeCompare(order(b))).map((r) => fields.map((f) => r[f]));
}

export interface CountingProxy {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  /** TCP connections accepted so far: any request at all, token requests included. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of the emulator. The emulator's request log counts bulk requests only;
 * this counts every connection, so "nothing was sent" also rules out a token request.
 */
export async function countingProxy(emu: Emulator): Promise<CountingProxy> {
  const upstream = new URL(emu.origin);
  let connections = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    const up = connect(Number(upstream.port), upstream.hostname);
    socket.on('error', () => up.destroy());
    up.on('error', () => socket.destroy());
    socket.pipe(up).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: `${origin}/v2`,
    tokenUrl: `${origin}/oauth2/token`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
