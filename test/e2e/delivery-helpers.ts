/**
 * Shared by the delivery end-to-end tests (issue 5): a throwaway folder with a users NDJSON file
 * and a pipeline for it, the CLI as a child process a test can signal, and read-backs of the run
 * folder and the emulator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DEFAULT_CLIENT, startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { CLI, type CliRun } from './cli.js';

export interface UserRow {
  readonly no: string;
  readonly first?: string;
  readonly last?: string;
}

export interface PipelineSettings {
  readonly name?: string;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly maxRetries?: number;
  readonly timeout?: string;
  readonly rate?: string;
  readonly maxRejects?: string | number;
}

/** `U0001` … `U<n>` (another prefix keeps tests sharing an emulator apart). */
export function userIds(n: number, prefix = 'U'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
}

/** A folder holding users.ndjson and users.yaml (source ERP, language NL, sourceId from `no`). */
export async function usersWorkspace(rows: readonly UserRow[], s: PipelineSettings): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'e2e-delivery-'));
  await writeFile(join(dir, 'users.ndjson'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const send = [`concurrency: ${s.concurrency}`, `maxRetries: ${s.maxRetries ?? 3}`, `timeout: ${s.timeout ?? '10s'}`, ...(s.rate !== undefined ? [`rate: ${s.rate}`] : [])];
  const yaml = [
    `name: ${s.name ?? 'delivery'}`,
    'resource: users',
    'source: { path: users.ndjson }',
    'mapping:',
    '  source: { value: ERP }',
    '  sourceId: no',
    '  language: { value: NL }',
    '  firstName: first',
    '  lastName: last',
    `batch: { size: ${s.batchSize} }`,
    `send: { ${send.join(', ')} }`,
    ...(s.maxRejects !== undefined ? [`errors: { maxRejects: ${s.maxRejects} }`] : []),
  ];
  await writeFile(join(dir, 'users.yaml'), yaml.join('\n') + '\n');
  return dir;
}

export function env(emu: { baseUrl: string; tokenUrl: string }, secret: string, id = 'propel-etl-local'): NodeJS.ProcessEnv {
  return { PROPEL_BASE_URL: emu.baseUrl, PROPEL_TOKEN_URL: emu.tokenUrl, PROPEL_CLIENT_ID: id, PROPEL_CLIENT_SECRET: secret };
}

/** The CLI as a child process the test can signal while it runs. */
export function startCli(args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { PATH: process.env.PATH ?? '', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function textOf(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

export async function readNdjson(path: string): Promise<Record<string, unknown>[]> {
  return (await textOf(path))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** How many records the run folder's checkpoint holds as settled (a torn last line counts nothing). */
export async function settledRecords(outDir: string): Promise<number> {
  let n = 0;
  for (const line of (await textOf(join(outDir, 'checkpoint.ndjson'))).split('\n')) {
    if (!line.includes('"t":"settled"')) continue;
    try {
      for (const [lo, hi] of (JSON.parse(line) as { done: [number, number][] }).done) n += hi - lo + 1;
    } catch {
      // torn by a concurrent write: read again on the next poll
    }
  }
  return n;
}

export interface SummaryFile {
  status: string;
  exitCode: number;
  attempt: number;
  counts: { read: number; skippedOnResume: number; sent: number; created: number; updated: number; failed: number; rejected: Record<string, number> };
  requests: number;
  retries: number;
  error?: { code: string; message: string };
}

export async function summary(outDir: string): Promise<SummaryFile> {
  return JSON.parse(await readFile(join(outDir, 'summary.json'), 'utf8')) as SummaryFile;
}

/** The emulator's users by sourceId. */
export function storedUsers(emu: Emulator): Map<string, Record<string, unknown>> {
  return new Map(emu.store.users().map((u) => [String(u.item.sourceId), u.item]));
}

/** The lookup key the emulator's log uses for a user of this pipeline. */
export const userKey = (no: string): string => JSON.stringify(['ERP', no, 'NL']);

/**
 * One emulator for a whole test file, accepting `secret`: started before the first test, its
 * faults, store and log reset before each, closed after the last. Tests read `fixture.emu`.
 */
export function emulatorPerFile(secret: string, options: Omit<EmulatorOptions, 'clients'> = {}): { readonly emu: Emulator } {
  const fixture = {} as { emu: Emulator };
  beforeAll(async () => {
    fixture.emu = await startEmulator({ ...options, clients: [{ id: DEFAULT_CLIENT.id, secret }] });
  });
  afterAll(() => fixture.emu.close());
  beforeEach(() => {
    fixture.emu.setFaults({});
    fixture.emu.store.clear();
    fixture.emu.log.clear();
  });
  return fixture;
}
