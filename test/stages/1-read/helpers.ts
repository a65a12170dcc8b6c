import { Readable } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';
import { sourceObject, type ReadEvent } from '../../../src/core/record.js';
import type { SourceSpec } from '../../../src/config/pipeline-spec.js';
import { openSource, resolveInputs, type OpenSourceOptions } from '../../../src/stages/1-read/index.js';

/** A stdin stand-in that delivers `data` in pieces of `size` bytes, the worst case for split characters. */
export function chunked(data: Buffer, size: number): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return Readable.from(pieces);
}

export async function collect(stream: AsyncIterable<unknown>): Promise<ReadEvent[]> {
  const out: ReadEvent[] = [];
  for await (const ev of stream) out.push(ev as ReadEvent);
  return out;
}

/** Reads until the end or an error; returns both so a test can check records before the break. */
export async function collectUntilError(stream: AsyncIterable<unknown>): Promise<{ events: ReadEvent[]; error: unknown }> {
  const events: ReadEvent[] = [];
  try {
    for await (const ev of stream) events.push(ev as ReadEvent);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

export async function readSpec(spec: SourceSpec, baseDir: string, options: OpenSourceOptions = {}): Promise<ReadEvent[]> {
  const inputs = await resolveInputs(spec, baseDir);
  return collect(openSource(inputs, spec, options));
}

/** Reads `data` as stdin in pieces of `size` bytes. */
export async function readStdin(data: Buffer, size: number, spec: Omit<SourceSpec, 'path'>): Promise<ReadEvent[]> {
  const full: SourceSpec = { ...spec, path: '-' };
  const inputs = await resolveInputs(full, '/');
  return collect(openSource(inputs, full, { stdin: chunked(data, size) }));
}

/** Events without seq, to compare readings that differ only in chunking. */
export function summary(events: ReadEvent[]): unknown[] {
  return events.map((e) =>
    e.kind === 'record' ? { line: e.prov.line, data: sourceObject(e.data) } : { line: e.prov.line, reason: e.reason, record: e.record },
  );
}

export function records(events: ReadEvent[]): unknown[] {
  return events.filter((e) => e.kind === 'record').map((e) => (e.kind === 'record' ? sourceObject(e.data) : undefined));
}

export interface ZipInput {
  readonly name: string;
  readonly data?: Buffer;
  readonly store?: boolean;
  /** Lie in the headers about the uncompressed size (zip-bomb tests). */
  readonly declaredSize?: number;
  /** Set the data-descriptor flag, which keeps readers from checking size and CRC as they inflate. */
  readonly dataDescriptor?: boolean;
}

/** A minimal ZIP writer (local headers, central directory, end record), enough for tests. */
export function buildZip(entries: readonly ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = e.data ?? Buffer.alloc(0);
    const isDir = e.name.endsWith('/');
    const method = isDir || e.store === true ? 0 : 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const size = e.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    const flags = 0x0800 | (e.dataDescriptor === true ? 0x0008 : 0); // UTF-8 names
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(isDir ? 0x10 : 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
