/**
 * The emulator's store on disk (`stateFile`), so a rehearsal can stop and restart the emulator,
 * or run the CLI twice against it, and still find last night's users there. Loaded once at
 * start; saved a moment after each change (changes come in bursts of bulk requests, so one
 * write covers many) and at close. Each save replaces the file atomically (write, then rename),
 * so a killed emulator leaves the previous complete state, never half a file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { EmulatorStore, StoreSnapshot } from './store.js';

export const SAVE_DELAY_MS = 200;

function isSnapshot(v: unknown): v is StoreSnapshot {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return o.version === 1 && typeof o.nextUserId === 'number' && Array.isArray(o.users) && Array.isArray(o.usergroups);
}

/** Fills the store from the file; a missing file is an empty store. Throws on a file that is not a state file. */
export async function loadStateFile(path: string, store: EmulatorStore): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isSnapshot(value)) throw new Error(`${path} is not an emulator state file (delete it to start with an empty store)`);
  store.restore(value);
}

export interface StateSaver {
  /** The store changed: save soon. */
  changed(): void;
  /** Saves now if anything changed since the last save, and waits for it. */
  flush(): Promise<void>;
}

export function stateSaver(path: string, store: EmulatorStore, delayMs: number = SAVE_DELAY_MS): StateSaver {
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  // Saves run one after another: two renames racing could leave the older snapshot in place.
  let chain: Promise<void> = Promise.resolve();

  const save = (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    chain = chain.then(async () => {
      if (!dirty) return;
      dirty = false;
      const tmp = `${path}.${process.pid}.tmp`;
      // The store holds personal data: owner-only, like the run folder's files.
      await writeFile(tmp, JSON.stringify(store.snapshot()) + '\n', { mode: 0o600 });
      await rename(tmp, path);
    });
    return chain;
  };

  return {
    changed() {
      dirty = true;
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        save().catch((e: unknown) =>
          process.stderr.write(`propel emulator: could not save ${path}: ${e instanceof Error ? e.message : String(e)}\n`),
        );
      }, delayMs);
      // A pending save must not keep a finished test process alive; close() saves what is left.
      timer.unref();
    },
    flush: save,
  };
}
