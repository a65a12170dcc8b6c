/**
 * The setting both operator test files share: an emulator with the demo's 20 usergroups, and a
 * demo folder of 1,000 users in batches of 100 sent one at a time, so a run is short but has
 * several batches, progress and rejects.
 */
import { beforeAll } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { emulatorPerFile } from '../support/emulator.js';
import { targetEnv } from '../support/cli.js';
import { demoFolder } from '../outputs/report/helpers.js';

export interface OperatorFixture {
  readonly emu: Emulator;
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Registers beforeAll/afterAll in the calling describe; read the fields inside tests. */
export function operatorFixture(secret: string, prefix: string): OperatorFixture {
  const emulator = emulatorPerFile(secret, {}, 'never');
  const fixture = {} as { dir: string; env: NodeJS.ProcessEnv };
  beforeAll(async () => {
    for (let id = 1; id <= 20; id++) emulator.emu.store.seedUsergroup({ id, name: `G${id}` });
    fixture.dir = await demoFolder(1000, { batch: '{ size: 100 }', send: '{ concurrency: 1, maxRetries: 3, timeout: 10s }', prefix });
    fixture.env = targetEnv(emulator.emu, secret);
  }, 30_000);
  return {
    get emu() {
      return emulator.emu;
    },
    get dir() {
      return fixture.dir;
    },
    get env() {
      return fixture.env;
    },
  };
}
