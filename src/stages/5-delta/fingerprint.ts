/**
 * A delta night's fingerprint: everything besides a record's own text that decides the item it
 * becomes, so that the same text under the same fingerprint is the same item (core/known-bytes.ts).
 * It covers the mapping after variables, the source's format options, the resource, the item
 * schema and this build. A reader adds what its input adds (a CSV header). When any of these
 * changed, no text matches: the night compares items, as without the fast path, and records the
 * texts anew (DeltaState.refreshTexts).
 */
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PipelineSpec } from '../../config/pipeline-spec.js';

/**
 * Bumped by a change that makes another item of the same record and configuration (a converter,
 * a transform, the serialisation). The package version is covered too, so an upgrade compares one
 * night by items even where this was forgotten.
 */
export const ITEM_VERSION = 1;

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export function runFingerprint(spec: Pick<PipelineSpec, 'mapping' | 'resource' | 'source'>, schemaText: string): string {
  const { format, csv, json } = spec.source;
  const decides = {
    item: ITEM_VERSION,
    build: PACKAGE_VERSION,
    resource: spec.resource,
    mapping: spec.mapping,
    source: { format: format ?? null, csv: csv ?? null, json: json ?? null },
    schema: hash('sha256', schemaText, 'base64'),
  };
  return hash('sha256', JSON.stringify(decides), 'base64').slice(0, 22);
}
