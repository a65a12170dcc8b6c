import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { statePath } from '../../src/state/state-location.js';
import { emulatorIdentity, httpIdentity, resolveIdentity } from '../../src/state/target-identity.js';


/** What connectTarget hands the identity of an emulator it started. */
const served = (e: Emulator): { storeId: string; clientId: string } => ({ storeId: e.store.storeId, clientId: e.clients[0]?.id ?? '' });

describe('which Propel a state belongs to', () => {
  it('another tenant behind the same target name gets another file; the port of an emulator does not matter, its store does', async () => {
    const a = httpIdentity({ name: 'propel', kind: 'http', baseUrl: 'https://a.example/v2', tokenUrl: 't', clientId: 'one', clientSecret: 's' });
    const b = httpIdentity({ name: 'propel', kind: 'http', baseUrl: 'https://a.example/v2', tokenUrl: 't', clientId: 'two', clientSecret: 's' });
    expect(statePath('/s', 'users', a)).not.toBe(statePath('/s', 'users', b));
    expect(statePath('/s', 'users', a)).toMatch(/^\/s\/users\/propel-[0-9a-f]{12}\.sqlite$/);

    const dir = await mkdtemp(join(tmpdir(), 'identity-'));
    const stateFile = join(dir, 'store.json');
    const first = await startEmulator({ stateFile });
    const id1 = emulatorIdentity('demo', served(first), true);
    await first.close();
    // Restarted on another port from its file: the same store, so the same state.
    const again = await startEmulator({ stateFile });
    expect(emulatorIdentity('demo', served(again), true)).toEqual(id1);
    expect(await resolveIdentity({ name: 'demo', kind: 'emulator', stateFile }, { env: {}, cwd: dir })).toEqual(id1);
    // An emptied store is another store: a state about the old one must not skip anything.
    again.store.clear();
    expect(emulatorIdentity('demo', served(again), true).baseUrl).not.toBe(id1.baseUrl);
    await again.close();
    expect(await resolveIdentity({ name: 'local', kind: 'emulator' }, { env: {}, cwd: dir })).toMatchObject({ persistent: false });
  });
});
