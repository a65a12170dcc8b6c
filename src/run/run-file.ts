/**
 * The pipeline or job a run is given: a file's path, as the CLI takes it, or what the loader made
 * of one. A relative path is taken from the run's working folder (`cwd`), as the run folder, the
 * delta states and `config/targets.yaml` are, so a caller that sets `cwd` names files from there.
 */
import { basename, extname, resolve } from 'node:path';
import { loadJob, loadPipeline } from '../config/index.js';
import type { PipelineSpec } from '../config/pipeline-spec.js';

/** A job file as the loader reads it: its name and its steps' pipeline files (absolute paths), in order. */
export interface LoadedJob {
  readonly file: string;
  readonly name: string;
  readonly steps: readonly string[];
}

interface FileOptions {
  readonly vars?: Readonly<Record<string, string>>;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export function pipelineOf(opts: FileOptions & { readonly pipeline: string | PipelineSpec }): Promise<PipelineSpec> {
  return typeof opts.pipeline === 'string' ? loadPipeline(pathOf(opts.pipeline, opts), loadOptions(opts)) : Promise.resolve(opts.pipeline);
}

export function jobOf(opts: FileOptions & { readonly job: string | LoadedJob }): Promise<LoadedJob> {
  return typeof opts.job === 'string' ? loadJob(pathOf(opts.job, opts), loadOptions(opts)) : Promise.resolve(opts.job);
}

/** What a run refused before its file could be read is reported under (the metrics' `pipeline` label): the file's base name. */
export function fileLabel(file: string): string {
  return basename(file, extname(file));
}

function pathOf(file: string, opts: FileOptions): string {
  return resolve(opts.cwd ?? process.cwd(), file);
}

function loadOptions(opts: FileOptions): { vars: Record<string, string>; env: NodeJS.ProcessEnv } {
  return { vars: { ...opts.vars }, env: opts.env ?? process.env };
}
