import { relative } from 'node:path';
import type { Command } from 'commander';
import { EXIT, isEtlError } from '../core/errors.js';

export interface InitFlags {
  output?: string;
  force?: boolean;
  pointer?: string;
}

/** `propel-etl init <resource> <input-file>`: the pipeline on disk (or stdout), what was found on stderr. */
export async function initCommand(resource: string, input: string, flags: InitFlags): Promise<never> {
  try {
    // Imported here: the sampling readers and the proposal are for `init` only, not every start.
    const { initPipeline } = await import('../init/init-pipeline.js');
    const r = await initPipeline(resource, input, { cwd: process.cwd(), ...flags });
    if (r.file === undefined) process.stdout.write(r.yaml);
    const mapped = r.proposal.fields.map(
      (f) => `${f.from} -> ${f.slot === 'item' ? '' : f.slot === 'parent' ? 'parent.' : 'addresses[0].'}${f.target}`,
    );
    const lines = [
      `found ${r.columns.length} ${r.columns.length === 1 ? 'column' : 'columns'}: ${r.columns.join(', ')}`,
      `mapped ${mapped.length}: ${mapped.join(', ')}`,
      ...(r.proposal.unmapped.length > 0 ? [`not mapped: ${r.proposal.unmapped.map((u) => `${u.column} (${u.why})`).join(', ')}`] : []),
      ...(r.proposal.missingRequired.length > 0
        ? [`REQUIRED with no source (CHANGE_ME in the file): ${r.proposal.missingRequired.join(', ')}`]
        : []),
      ...(r.file !== undefined
        ? [`wrote ${relative(process.cwd(), r.file)}; check it, then: propel-etl validate ${relative(process.cwd(), r.file)}`]
        : []),
    ];
    process.stderr.write(lines.join('\n') + '\n');
    process.exit(EXIT.ok);
  } catch (e) {
    process.stderr.write(`propel-etl: ${isEtlError(e) ? e.describe() : e instanceof Error ? e.message : String(e)}\n`);
    process.exit(isEtlError(e) ? e.exitCode : EXIT.aborted);
  }
}

export function addInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a starter pipeline file from the first records of an input file')
    .argument('<resource>', 'users or usergroups')
    .argument('<input-file>', 'a CSV, NDJSON, JSON or Parquet export (.gz and .zip too), or s3://bucket/key (a glob: its first object)')
    .option('-o, --output <file>', 'where to write it (default <input name>.<resource>.yaml; - for stdout)')
    .option('--force', 'overwrite an existing file')
    .option('--pointer <pointer>', 'JSON pointer to the array of records in a JSON document')
    .action((resource: string, input: string, flags: InitFlags) => initCommand(resource, input, flags));
}
