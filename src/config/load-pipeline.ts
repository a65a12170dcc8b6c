/**
 * Pipeline and job files: read, substitute `${VAR}`, check against the shipped JSON Schema,
 * and resolve every default once into a PipelineSpec (later stages never look at raw config).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { ResourceName } from '../core/resource.js';
import type { KeyPath } from './key-path.js';
import { formatKeyPath } from './key-path.js';
import { SourceDocument } from './load-document.js';
import { InvalidValueError, parseAgeMs, parseDurationMs, parseCountOrShare, parseMaxRejects, parseRate, parseSize } from './normalise.js';
import type { DirectivesSpec, MappingObject, PipelineSpec, SourceSpec } from './pipeline-spec.js';
import { checkSchema, describeValue, schemaValidator } from './schema-check.js';
import { varLookup } from './substitute-vars.js';
import { checkEndpoint } from '../storage/s3/s3-endpoint.js';
import { isS3Url, parseS3Url } from '../storage/s3/s3-location.js';
import { checkPlaceholders } from './placeholders.js';
import { checkTargetFields } from './check-targets.js';
import { rememberLines } from './spec-lines.js';

export interface LoadOptions {
  /** `--var KEY=VALUE` values; they win over the environment. */
  vars?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Accept CHANGE_ME placeholders: only for `init`, which checks the starter file it writes. */
  allowPlaceholders?: boolean;
}

export type RunFile = { kind: 'pipeline'; spec: PipelineSpec } | JobFile;

/** A job file as loaded: its steps are pipeline files, run in order. */
export interface JobFile {
  kind: 'job';
  /** Absolute path of the job file. */
  file: string;
  name: string;
  /** Absolute paths of the pipeline files, in run order. */
  steps: string[];
}

export const DEFAULTS = {
  batchSize: 200,
  maxBytes: '2mb',
  concurrency: 4,
  /** `concurrency: auto` never goes above this many requests in flight. */
  autoConcurrencyCeiling: 32,
  maxRetries: 8,
  timeout: '60s',
} as const;

/** What the pipeline schema guarantees about a file's data. */
interface RawPipeline {
  name: string;
  resource: ResourceName;
  source: Omit<SourceSpec, 'zip' | 'maxRecordSize'> & {
    zip?: { entries?: string; maxEntryBytes?: number | string; maxRatio?: number };
    maxRecordSize?: number | string;
    parquet?: { maxPageSize?: number | string };
  };
  mapping: MappingObject;
  batch?: { size?: number; maxBytes?: number | string };
  send?: {
    concurrency?: number | 'auto';
    maxRetries?: number;
    timeout?: number | string;
    rate?: number | string;
    maxAnswerSize?: number | string;
  };
  errors?: { maxRejects?: number | string };
  directives?: DirectivesSpec;
  delta?: {
    refreshAfter?: number | string;
    orphans?: 'report' | 'ignore';
    maxChanged?: number | string;
    maxOrphans?: number | string;
    compareBytes?: boolean;
  };
}

interface RawJob {
  name?: string;
  steps: string[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** A pipeline file or a job file (a file whose top level has `steps:`). */
export async function loadRunFile(file: string, options: LoadOptions = {}): Promise<RunFile> {
  const absolute = path.resolve(file);
  if (!EXTENSIONS.has(path.extname(absolute).toLowerCase())) {
    throw new ConfigError('a pipeline or job file must end in .yaml, .yml or .json', { file: absolute });
  }
  const doc = await SourceDocument.read(absolute);
  doc.substitute(varLookup(options.vars, options.env ?? process.env));
  const data = doc.toData();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(
      data === null || data === undefined ? 'the file is empty' : 'the file must hold a mapping of keys (name:, resource:, …)',
      {
        file: absolute,
        line: 1,
      },
    );
  }
  if (Object.prototype.hasOwnProperty.call(data, 'steps')) return readJob(doc, data);
  if (options.allowPlaceholders !== true) checkPlaceholders(doc, data);
  const spec = toPipelineSpec(doc, data);
  rememberLines(spec, doc);
  return { kind: 'pipeline', spec };
}

/** A pipeline file; a job file here is a ConfigError (run its steps one by one instead). */
export async function loadPipeline(file: string, options: LoadOptions = {}): Promise<PipelineSpec> {
  const loaded = await loadRunFile(file, options);
  if (loaded.kind === 'job') throw new ConfigError('this is a job file (it has steps:), not a pipeline file', { file: loaded.file });
  return loaded.spec;
}

/** A job file; a pipeline file here is a ConfigError (run it with runPipeline, or list it as a job's step). */
export async function loadJob(file: string, options: LoadOptions = {}): Promise<JobFile> {
  const loaded = await loadRunFile(file, options);
  if (loaded.kind === 'pipeline')
    throw new ConfigError('this is a pipeline file (it has no steps:), not a job file', { file: loaded.spec.file });
  return loaded;
}

async function readJob(doc: SourceDocument, data: unknown): Promise<JobFile> {
  checkSchema<RawJob>(doc, data, schemaValidator<RawJob>('job.schema.json'));
  const dir = path.dirname(doc.file);
  const steps = await Promise.all(
    data.steps.map(async (step, index) => {
      const stepFile = path.resolve(dir, step);
      try {
        await access(stepFile);
      } catch {
        throw new ConfigError(`step file not found: ${stepFile}`, {
          file: doc.file,
          line: doc.lineOf(['steps', index]),
          key: `steps[${index}]`,
        });
      }
      return stepFile;
    }),
  );
  const name = data.name ?? path.basename(doc.file, path.extname(doc.file));
  return { kind: 'job', file: doc.file, name, steps };
}

function toPipelineSpec(doc: SourceDocument, data: unknown): PipelineSpec {
  checkSchema<RawPipeline>(doc, data, schemaValidator<RawPipeline>('pipeline.schema.json'));
  const raw = data;

  const at = <T>(keyPath: KeyPath, value: number | string, parse: (v: number | string) => T): T => {
    try {
      return parse(value);
    } catch (e) {
      if (!(e instanceof InvalidValueError)) throw e;
      // The parser's message echoes the value; a substituted one may be a secret, so say less then.
      const message = doc.isSubstituted(keyPath)
        ? `${formatKeyPath(keyPath)} is not valid; got ${describeValue(doc, keyPath, value)}`
        : `${formatKeyPath(keyPath)}: ${e.message}`;
      throw new ConfigError(message, { file: doc.file, line: doc.lineOf(keyPath), key: formatKeyPath(keyPath) });
    }
  };

  if (raw.directives !== undefined && raw.resource !== 'usergroups') {
    throw new ConfigError(`directives are only for resource usergroups (this pipeline imports ${raw.resource})`, {
      file: doc.file,
      line: doc.lineOf(['directives'], 'key'),
      key: 'directives',
    });
  }

  checkTargetFields(doc, raw.resource, raw.mapping);

  const { zip, maxRecordSize, parquet, ...sourceRest } = raw.source;
  const source: SourceSpec = {
    ...sourceRest,
    ...(parquet?.maxPageSize !== undefined
      ? { parquet: { maxPageSize: at(['source', 'parquet', 'maxPageSize'], parquet.maxPageSize, parseSize) } }
      : {}),
    ...(maxRecordSize !== undefined ? { maxRecordSize: at(['source', 'maxRecordSize'], maxRecordSize, parseSize) } : {}),
  };
  if (zip !== undefined) {
    source.zip = {
      ...(zip.entries !== undefined ? { entries: zip.entries } : {}),
      ...(zip.maxEntryBytes !== undefined ? { maxEntryBytes: at(['source', 'zip', 'maxEntryBytes'], zip.maxEntryBytes, parseSize) } : {}),
      ...(zip.maxRatio !== undefined ? { maxRatio: zip.maxRatio } : {}),
    };
  }

  checkS3Source(doc, source);

  const rate = raw.send?.rate;
  const maxRejects = raw.errors?.maxRejects;
  const spec: PipelineSpec = {
    name: raw.name,
    resource: raw.resource,
    source,
    mapping: raw.mapping,
    batch: {
      size: raw.batch?.size ?? DEFAULTS.batchSize,
      maxBytes: at(['batch', 'maxBytes'], raw.batch?.maxBytes ?? DEFAULTS.maxBytes, parseSize),
    },
    send: {
      ...(raw.send?.concurrency === 'auto'
        ? { concurrency: DEFAULTS.autoConcurrencyCeiling, adaptive: true }
        : { concurrency: raw.send?.concurrency ?? DEFAULTS.concurrency }),
      maxRetries: raw.send?.maxRetries ?? DEFAULTS.maxRetries,
      timeoutMs: at(['send', 'timeout'], raw.send?.timeout ?? DEFAULTS.timeout, parseDurationMs),
      ...(rate !== undefined ? { rate: at(['send', 'rate'], rate, parseRate) } : {}),
      ...(raw.send?.maxAnswerSize !== undefined
        ? { maxAnswerBytes: at(['send', 'maxAnswerSize'], raw.send.maxAnswerSize, parseSize) }
        : {}),
    },
    errors: maxRejects !== undefined ? { maxRejects: at(['errors', 'maxRejects'], maxRejects, parseMaxRejects) } : {},
    file: doc.file,
  };
  if (raw.directives !== undefined) {
    const directives: DirectivesSpec = {};
    if (raw.directives.skipIfNotEmpty !== undefined) directives.skipIfNotEmpty = [...new Set(raw.directives.skipIfNotEmpty)];
    if (raw.directives.skipMoveOnUpdate !== undefined) directives.skipMoveOnUpdate = raw.directives.skipMoveOnUpdate;
    spec.directives = directives;
  }
  if (raw.delta !== undefined) {
    const refresh = raw.delta.refreshAfter;
    spec.delta = {
      orphans: raw.delta.orphans ?? 'report',
      ...(refresh !== undefined ? { refreshAfterMs: at(['delta', 'refreshAfter'], refresh, parseAgeMs) } : {}),
      ...(raw.delta.maxChanged !== undefined
        ? { maxChanged: at(['delta', 'maxChanged'], raw.delta.maxChanged, (v) => parseCountOrShare(v, 'maxChanged')) }
        : {}),
      ...(raw.delta.compareBytes === false ? { compareBytes: false } : {}),
      ...(raw.delta.maxOrphans !== undefined
        ? { maxOrphans: at(['delta', 'maxOrphans'], raw.delta.maxOrphans, (v) => parseCountOrShare(v, 'maxOrphans')) }
        : {}),
    };
  }
  return spec;
}

/** An s3:// path names a bucket and a key; `source.s3` is for such a path only, its endpoint https or loopback. */
function checkS3Source(doc: SourceDocument, source: SourceSpec): void {
  const at = (keyPath: KeyPath): { file: string; line: number | undefined } => ({ file: doc.file, line: doc.lineOf(keyPath) });
  if (isS3Url(source.path)) {
    try {
      parseS3Url(source.path);
    } catch (e) {
      if (e instanceof ConfigError) throw e.at({ ...at(['source', 'path']), key: 'source.path' });
      throw e;
    }
  } else if (source.s3 !== undefined) {
    throw new ConfigError('source.s3 is only for an s3:// source.path', { ...at(['source', 's3']), key: 'source.s3' });
  }
  if (source.s3?.endpoint !== undefined) checkEndpoint(source.s3.endpoint, 'source.s3.endpoint', at(['source', 's3', 'endpoint']));
}
