/**
 * Which Propel a delta state belongs to. A state says "Propel acknowledged this hash for this key";
 * applied to another tenant it would silently skip items that tenant never received. So the state
 * records the base URL and client id it was made with, and a run only ever opens the state of its
 * own target. An emulator is identified by its store, not by its (ephemeral) port.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadTarget, type TargetSpec } from '../config/index.js';
import { DEFAULT_CLIENT } from '../core/embedded-client.js';

export interface TargetIdentity {
  /** The target's name (`propel`, `local`, …): part of the state's file name, for people. */
  readonly name: string;
  /** The REST base URL; for an emulator `emulator:<storeId>`. */
  readonly baseUrl: string;
  readonly clientId: string;
  /**
   * False for an embedded emulator without a state file: its store dies with the process, so a
   * state about it must too (it lives in memory).
   */
  readonly persistent: boolean;
}

export function httpIdentity(spec: Extract<TargetSpec, { kind: 'http' }>): TargetIdentity {
  if (spec.embedded !== undefined) {
    return { name: spec.name, baseUrl: `emulator:${spec.embedded.storeId}`, clientId: spec.clientId, persistent: spec.embedded.persistent };
  }
  return { name: spec.name, baseUrl: spec.baseUrl, clientId: spec.clientId, persistent: true };
}

/** An embedded emulator, by the id of its store and the client it accepts. */
export function emulatorIdentity(name: string, emulator: { readonly storeId: string; readonly clientId: string }, persistent: boolean): TargetIdentity {
  return { name, baseUrl: `emulator:${emulator.storeId}`, clientId: emulator.clientId, persistent };
}

/** A short, stable digest of the identity: two tenants behind one target name get two files. */
export function identityDigest(id: TargetIdentity): string {
  return createHash('sha256').update(JSON.stringify([id.baseUrl, id.clientId])).digest('hex').slice(0, 12);
}

/**
 * The identity of a target without connecting to it (a dry run compares against the state but
 * sends nothing). An embedded emulator with a state file is identified by the store id in that
 * file; without one (or before its first save) it has no state to compare with.
 */
export async function resolveIdentity(choice: string | TargetSpec, opts: { env: NodeJS.ProcessEnv; cwd: string }): Promise<TargetIdentity> {
  const spec = typeof choice === 'string' ? await loadTarget(choice, { env: opts.env, cwd: opts.cwd }) : choice;
  if (spec.kind === 'http') return httpIdentity(spec);
  const storeId = spec.stateFile !== undefined ? await storedStoreId(spec.stateFile) : undefined;
  return storeId !== undefined
    ? { name: spec.name, baseUrl: `emulator:${storeId}`, clientId: DEFAULT_CLIENT.id, persistent: true }
    : { name: spec.name, baseUrl: 'emulator:', clientId: '', persistent: false };
}

async function storedStoreId(file: string): Promise<string | undefined> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as { storeId?: unknown };
    return typeof v.storeId === 'string' ? v.storeId : undefined;
  } catch {
    return undefined;
  }
}
