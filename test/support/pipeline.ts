/** Users pipeline files as the tests write them: one shape, as JSON (which the loader reads like YAML). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface UsersPipeline {
  readonly name: string;
  readonly source: Record<string, unknown>;
  readonly mapping: Record<string, unknown>;
  readonly batchSize: number;
  readonly send: Record<string, unknown>;
  readonly errors?: Record<string, unknown>;
  readonly delta?: Record<string, unknown>;
}

/** The pipeline file's text. */
export function usersPipeline(p: UsersPipeline): string {
  const spec = {
    name: p.name,
    resource: 'users',
    source: p.source,
    mapping: p.mapping,
    batch: { size: p.batchSize },
    send: p.send,
    ...(p.errors !== undefined ? { errors: p.errors } : {}),
    ...(p.delta !== undefined ? { delta: p.delta } : {}),
  };
  return JSON.stringify(spec, null, 2) + '\n';
}

/** Writes it as `dir/file`; returns `file`. */
export async function writeUsersPipeline(dir: string, file: string, p: UsersPipeline): Promise<string> {
  await writeFile(join(dir, file), usersPipeline(p));
  return file;
}
