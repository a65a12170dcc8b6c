/** Plain-fetch helpers for talking to a running emulator the way a client would. */
import { beforeAll } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { DEFAULT_CLIENT } from '../../src/emulator/index.js';
import { emulatorPerFile } from '../support/emulator.js';

export interface Answer {
  status: number;
  headers: Headers;
  // Answers are checked with toEqual/toMatchObject; a JSON type here would only add casts to every assertion.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function getToken(emu: Emulator, secret = DEFAULT_CLIENT.secret): Promise<Answer> {
  const res = await fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT.id, client_secret: secret }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

export async function bearer(emu: Emulator): Promise<string> {
  const answer = await getToken(emu);
  if (answer.status !== 200) throw new Error(`token request answered ${answer.status}`);
  return `Bearer ${String(answer.body.access_token)}`;
}

/** POSTs a body (an object is serialised, a string is sent as is) to a bulk path under baseUrl. */
export async function postBulk(
  emu: Emulator,
  path: '/users/bulk/sourceId' | '/usergroups/bulk/id',
  body: unknown,
  auth: string | undefined,
  signal?: AbortSignal,
): Promise<Answer> {
  const res = await fetch(`${emu.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth === undefined ? {} : { authorization: auth }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** The test file's emulator (faults, store and log cleared before each test) and a bearer token for it. */
export function emulatorWithToken(): { readonly emu: Emulator; readonly auth: string } {
  const fixture = emulatorPerFile(undefined);
  let auth = '';
  beforeAll(async () => {
    auth = await bearer(fixture.emu);
  });
  return {
    get emu() {
      return fixture.emu;
    },
    get auth() {
      return auth;
    },
  };
}
