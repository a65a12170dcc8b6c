/**
 * Where a pipeline's delta states live: `<state dir>/<pipeline>/<target>-<digest>.sqlite`, one
 * file per pipeline and target. The digest of base URL and client id is in the name so that the
 * `propel` target pointed at another tenant gets a file of its own (a full send) instead of
 * another tenant's state; the file itself records the identity too (DeltaState checks it).
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { identityDigest, type TargetIdentity } from './target-identity.js';

/** The default state folder, in the working folder. */
export const DEFAULT_STATE_DIR = 'state';
export const STATE_EXTENSION = '.sqlite';

export function stateDir(cwd: string, dir?: string): string {
  return resolve(cwd, dir ?? DEFAULT_STATE_DIR);
}

export function statePath(dir: string, pipeline: string, target: TargetIdentity): string {
  return join(dir, pipeline, `${safe(target.name)}-${identityDigest(target)}${STATE_EXTENSION}`);
}

/** A pipeline's state files (every target), sorted; none when the folder does not exist. */
export async function listStates(dir: string, pipeline: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, pipeline))).filter((f) => f.endsWith(STATE_EXTENSION)).sort().map((f) => join(dir, pipeline, f));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** The target name a state file was named after (`propel-1a2b3c4d5e6f.sqlite` -> `propel`). */
export function targetOfFile(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1, -STATE_EXTENSION.length);
  const dash = base.lastIndexOf('-');
  return dash > 0 ? base.slice(0, dash) : base;
}

/** Pipeline names are already file-safe (the schema's pattern); target names come from a YAML key. */
function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
