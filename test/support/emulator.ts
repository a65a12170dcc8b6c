/** The emulator as the test files share it, and what it stored. */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DEFAULT_CLIENT, startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';

/**
 * One emulator for a whole test file, accepting `secret` (or, without one, the default client):
 * started before the first test (register this before a beforeAll that uses it), closed after the
 * last. With `reset: 'each'` its faults, store and log are cleared before each test; with 'never'
 * the tests read what the file's setup left. Tests read `fixture.emu`.
 */
export function emulatorPerFile(
  secret: string | undefined,
  options: Omit<EmulatorOptions, 'clients'> = {},
  reset: 'each' | 'never' = 'each',
): { readonly emu: Emulator } {
  const fixture = {} as { emu: Emulator };
  beforeAll(async () => {
    fixture.emu = await startEmulator({ ...options, ...(secret !== undefined ? { clients: [{ id: DEFAULT_CLIENT.id, secret }] } : {}) });
  });
  afterAll(() => fixture.emu.close());
  if (reset === 'each') {
    beforeEach(() => {
      fixture.emu.setFaults({});
      fixture.emu.store.clear();
      fixture.emu.log.clear();
    });
  }
  return fixture;
}

/** What the emulator stored, in key order: compared exactly with the expected items. */
export function storedUsers(emu: Emulator): Record<string, unknown>[] {
  return emu.store
    .users()
    .map((u) => u.item as Record<string, unknown>)
    .sort((a, b) => String(a.sourceId).localeCompare(String(b.sourceId)));
}

/** The same by sourceId, for tests that look up single users among many. */
export function storedUsersById(emu: Emulator): Map<string, Record<string, unknown>> {
  return new Map(storedUsers(emu).map((u) => [String(u.sourceId), u]));
}

/** runPipeline's target for the emulator, as its first client. */
export function httpTarget(
  emu: Emulator,
  name: string,
): { name: string; kind: 'http'; baseUrl: string; tokenUrl: string; clientId: string; clientSecret: string } {
  const c = emu.clients[0]!;
  return { name, kind: 'http', baseUrl: emu.baseUrl, tokenUrl: emu.tokenUrl, clientId: c.id, clientSecret: c.secret };
}
