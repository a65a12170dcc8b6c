/**
 * Where a loaded spec's keys are in its pipeline file, for checks that run after loading (the
 * inputs' columns, the run's warnings) and must still name a line. Kept beside the spec rather
 * than in it: a PipelineSpec stays plain data, and a spec built in code simply has no lines.
 */
import type { KeyPath } from './key-path.js';
import type { SourceDocument } from './load-document.js';
import type { PipelineSpec } from './pipeline-spec.js';

const documents = new WeakMap<PipelineSpec, SourceDocument>();

export function rememberLines(spec: PipelineSpec, doc: SourceDocument): void {
  documents.set(spec, doc);
}

/** The 1-based line of the key at `path` (e.g. `['mapping', 'email']`), when the spec was loaded from a file. */
export function lineInPipeline(spec: PipelineSpec, path: KeyPath): number | undefined {
  return documents.get(spec)?.lineOf(path, 'key');
}
