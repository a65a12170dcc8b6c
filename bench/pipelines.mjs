// The bench's pipeline files: the demo's users pipeline pointed at one generated input, written
// as JSON next to the data. Shared by bench/run.mjs and bench/instructions.mjs, so they measure
// the same pipeline on the same file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { NARROW } from './generate.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Without the demo's delta: every bench run sends everything (bench/delta.mjs measures delta).
const { delta: _delta, ...demo } = parseYaml(readFileSync(join(ROOT, 'pipelines', 'demo-users.yaml'), 'utf8'));

/** The narrow CSV's mapping: the demo's, for the five columns there are. */
const narrowMapping = {
  source: { value: 'DEMO' },
  sourceId: { from: 'code' },
  language: { value: 'NL' },
  firstName: { from: 'first', transform: ['trim', 'collapse'] },
  lastName: { from: 'last', transform: ['trim', 'collapse'] },
  email: { from: 'email', transform: ['trim', 'lower'] },
  // An address needs a street the narrow file lacks: the city goes into an attribute.
  attributes: [{ name: 'CITY', type: 'text', value: { from: 'city', transform: ['trim'] } }],
};

/** Writes `OUT/pipelines/bench-<format>.json` for the input at `path`; returns its path. */
export function pipelineFor(out, format, path, overrides = {}) {
  const csv = { delimiter: format === NARROW ? ',' : ';', headers: true, encoding: 'utf8' };
  const source = format === 'ndjson' || format === 'json' || format === 'parquet' ? { path } : { path, csv };
  const mapping = format === NARROW ? { mapping: narrowMapping } : {};
  const spec = { ...demo, name: `bench-${format.replace('.', '-')}`, source, ...mapping, ...overrides };
  const file = join(out, 'pipelines', `${spec.name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}
