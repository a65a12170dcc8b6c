import type { SourceSpec } from '../config/pipeline-spec.js';
import { ERR, ConfigError } from '../core/errors.js';
import { sourceObject, type ReadEvent } from '../core/record.js';
import { DEFAULT_FORMAT, FORMATS } from '../stages/1-read/formats/index.js';
import { openSource, resolveInputs } from '../stages/1-read/index.js';
import { storageFor } from '../storage/index.js';

/** A source column or path with the first distinct non-empty values seen under it. */
export interface FoundField {
  /** As a mapping writes it: a CSV column, or a path such as `name.first` or `phones[0]`. */
  readonly path: string;
  readonly samples: readonly string[];
  /** The attribute type its values fit, when the file says (Parquet's schema): text, integer, decimal, date, datetime. */
  readonly attributeType?: string;
}

export interface SourceSample {
  readonly source: SourceSpec;
  readonly records: number;
  readonly fields: readonly FoundField[];
}

export const SAMPLE_RECORDS = 200;
const MAX_FIELDS = 300;
const MAX_SAMPLES = 8;

/** Collects paths in first-seen order, bounded in count and in samples per path. */
class FieldCollector {
  readonly fields = new Map<string, string[]>();
  readonly types = new Map<string, string>();

  /** Paths a schema declares, in its order, before any record is seen (a column null in every sample still counts). */
  declare(path: string, attributeType: string): void {
    if (this.fields.size < MAX_FIELDS && !this.fields.has(path)) this.fields.set(path, []);
    this.types.set(path, attributeType);
  }

  add(data: unknown, prefix = ''): void {
    if (Array.isArray(data)) {
      // The first element stands for the list: a starter mapping takes `phones[0]`, not every index.
      if (data.length > 0) this.add(data[0], `${prefix}[0]`);
      return;
    }
    if (data !== null && typeof data === 'object') {
      for (const [k, v] of Object.entries(data)) this.add(v, prefix === '' ? k : `${prefix}.${k}`);
      return;
    }
    if (prefix === '') return;
    let samples = this.fields.get(prefix);
    if (samples === undefined) {
      if (this.fields.size >= MAX_FIELDS) return;
      samples = [];
      this.fields.set(prefix, samples);
    }
    const text = data === null || data === undefined ? '' : String(data).trim();
    if (text !== '' && samples.length < MAX_SAMPLES && !samples.includes(text)) samples.push(text);
  }
}

async function sampleWith(spec: SourceSpec, baseDir: string, limit: number): Promise<{ records: number; collector: FieldCollector }> {
  const inputs = await resolveInputs(spec, baseDir);
  const collector = new FieldCollector();
  const first = inputs[0];
  const init = first !== undefined && first.format !== null ? FORMATS.get(first.format).init : undefined;
  if (first !== undefined && init?.declaredFields !== undefined && first.compression === 'none') {
    for (const c of await init.declaredFields(first.object, storageFor(first.object.location), { file: first.object.display })) {
      collector.declare(c.path, c.attributeType);
    }
  }
  let records = 0;
  // The source stream is a Readable in object mode: its events are ReadEvents.
  for await (const ev of openSource(inputs, spec, { limit }) as AsyncIterable<ReadEvent>) {
    if (ev.kind !== 'record') continue;
    records++;
    collector.add(sourceObject(ev.data));
  }
  return { records, collector };
}

/**
 * Reads the first records of an input with the same readers a run uses. Where the format gives
 * several specs to try (CSV: the usual delimiters, since exports do not say which), each is tried
 * on the first records and the one that finds the most fields is kept.
 */
export async function sampleSource(inputPath: string, opts: { cwd: string; pointer?: string; limit?: number }): Promise<SourceSample> {
  const limit = opts.limit ?? SAMPLE_RECORDS;
  const format = FORMATS.fromName(inputPath) ?? FORMATS.get(DEFAULT_FORMAT);
  const base: SourceSpec = {
    path: inputPath,
    format: format.name,
    ...(opts.pointer !== undefined ? { json: { pointer: opts.pointer } } : {}),
  };
  const baseDir = opts.cwd;
  const tries = format.init?.tries?.(base);
  let best: { source: SourceSpec; records: number; collector: FieldCollector } | undefined;
  if (tries !== undefined) {
    let lastError: unknown;
    for (const source of tries) {
      try {
        const r = await sampleWith(source, baseDir, Math.min(limit, 20));
        if (best === undefined || r.collector.fields.size > best.collector.fields.size) best = { source, ...r };
      } catch (e) {
        lastError = e;
      }
    }
    if (best === undefined)
      throw lastError instanceof Error
        ? lastError
        : new ConfigError(`cannot read the input as ${format.name.toUpperCase()}`, { file: inputPath }, ERR.INIT_SOURCE);
    best = { source: best.source, ...(await sampleWith(best.source, baseDir, limit)) };
  } else {
    best = { source: base, ...(await sampleWith(base, baseDir, limit)) };
  }
  if (best.records === 0) {
    throw new ConfigError(
      `found no records to propose a mapping from${format.init?.noRecordsHint ?? ''}`,
      { file: inputPath },
      ERR.INIT_EMPTY,
    );
  }
  const types = best.collector.types;
  return {
    source: best.source,
    records: best.records,
    fields: [...best.collector.fields].map(([path, samples]) => {
      const attributeType = types.get(path);
      return attributeType !== undefined ? { path, samples, attributeType } : { path, samples };
    }),
  };
}
