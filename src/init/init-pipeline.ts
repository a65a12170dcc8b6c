import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { loadPipeline } from '../config/index.js';
import { ERR, ConfigError } from '../core/errors.js';
import { isResourceName, type ResourceName } from '../core/resource.js';
import { isS3Url, releaseDownloads, storageFor } from '../storage/index.js';
import { isGlob } from '../storage/s3/s3-location.js';
import { proposeMapping, type MappingProposal } from './propose-mapping.js';
import { renderPipeline } from './render-pipeline.js';
import { sampleSource } from './sample-source.js';

export interface InitOptions {
  readonly cwd: string;
  /** Where to write the pipeline; `-` returns it without writing. Default `<input name>.<resource>.yaml` in cwd. */
  readonly output?: string;
  readonly force?: boolean;
  /** JSON pointer to the records in a JSON document. */
  readonly pointer?: string;
}

export interface InitResult {
  /** Absolute path written, or undefined for `-`. */
  readonly file: string | undefined;
  readonly yaml: string;
  readonly proposal: MappingProposal;
  readonly columns: readonly string[];
}

/**
 * `users.csv.gz` -> `users`: the name part of an input, fit for a pipeline name. For a glob, the
 * part before its first wildcard (`part-*.csv.gz` -> `part`, `data_0_*_0.csv` -> `data_0`, not
 * `data_0__0`), or the folder's name when nothing comes before it (`exports/users/*.csv` -> `users`).
 */
export function stemOf(path: string): string {
  const name = basename(path);
  const wild = name.search(/[*?[\]{}]/);
  const clean = (text: string): string =>
    text
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[.-]+/, '')
      .replace(/[._-]+$/, '');
  const stem = clean(wild >= 0 ? name.slice(0, wild) : name.replace(/(\.(gz|gzip|zip))+$/i, '').replace(/\.[^.]+$/, ''));
  if (stem !== '') return stem;
  const folder = clean(basename(dirname(path)));
  return folder !== '' && folder !== '.' ? folder : 'pipeline';
}

/**
 * A glob in a bucket is sampled on its first object alone: the others are listed, not read (the
 * trials of CSV delimiters would otherwise fetch the head of every part several times).
 */
async function firstObject(url: string): Promise<string> {
  if (!isGlob(url)) return url;
  const [first] = await storageFor(url).list(url, '.');
  if (first === undefined) throw new ConfigError('no object matches the pattern', { file: url, key: 'source.path' }, ERR.SOURCE_MISSING);
  return first.location;
}

/**
 * Reads the input's first records, proposes a mapping and writes it as a commented YAML
 * pipeline. The file is checked by loading it with the config loader before it is put in
 * place: init never leaves a file behind that `run` would refuse.
 */
export async function initPipeline(resource: string, input: string, opts: InitOptions): Promise<InitResult> {
  if (!isResourceName(resource))
    throw new ConfigError(`unknown resource "${resource}"; expected users or usergroups`, {}, ERR.INIT_RESOURCE);
  const res: ResourceName = resource;
  const remote = isS3Url(input);
  const inputAbs = remote ? input : resolve(opts.cwd, input);
  const toStdout = opts.output === '-';
  const outAbs = toStdout ? undefined : resolve(opts.cwd, opts.output ?? `${stemOf(input)}.${res}.yaml`);
  const pipelineDir = outAbs !== undefined ? dirname(outAbs) : opts.cwd;

  const sampled = remote ? await firstObject(input) : inputAbs;
  const sample = await sampleSource(sampled, { cwd: opts.cwd, ...(opts.pointer !== undefined ? { pointer: opts.pointer } : {}) }).finally(
    releaseDownloads,
  );
  const columns = sample.fields.map((f) => f.path);
  const proposal = proposeMapping(res, sample.fields);
  const relPath = remote ? input : relative(pipelineDir, inputAbs).split(sep).join('/');
  const yaml = renderPipeline({
    name: stemOf(input),
    resource: res,
    inputDisplay: input,
    source: { ...sample.source, path: relPath === '' ? inputAbs : relPath },
    records: sample.records,
    columns,
    proposal,
    attributeTypes: new Map(sample.fields.flatMap((f) => (f.attributeType !== undefined ? [[f.path, f.attributeType] as const] : []))),
  });

  if (outAbs === undefined) {
    // Checked in a scratch folder; the relative path is made absolute there so it still resolves.
    const scratch = await mkdtemp(join(tmpdir(), 'propel-etl-init-'));
    try {
      const check = join(scratch, 'pipeline.yaml');
      await writeFile(check, yaml.replace(/^( {2}path: ).*$/m, `$1${JSON.stringify(inputAbs)}`), { mode: 0o600 });
      await loadPipeline(check, { allowPlaceholders: true });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return { file: undefined, yaml, proposal, columns };
  }

  const tmp = join(dirname(outAbs), `.${basename(outAbs)}.${randomBytes(4).toString('hex')}.tmp.yaml`);
  await writeFile(tmp, yaml, { mode: 0o644, flag: 'wx' });
  try {
    await loadPipeline(tmp, { allowPlaceholders: true });
    if (opts.force !== true) {
      // 'wx' refuses an existing file atomically; the real write is the rename below.
      const fh = await open(outAbs, 'wx').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST')
          throw new ConfigError('the file exists; use --force to overwrite it or -o to write elsewhere', { file: outAbs }, ERR.INIT_EXISTS);
        throw e;
      });
      await fh.close();
    }
    await rename(tmp, outAbs);
  } finally {
    await rm(tmp, { force: true });
  }
  return { file: outAbs, yaml, proposal, columns };
}
