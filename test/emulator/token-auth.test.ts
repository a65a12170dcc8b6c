import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { bearer, getToken, postBulk } from './helpers.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const oneUser = { users: [{ source: 'ERP', sourceId: '1' }] };

describe('token endpoint', () => {
  it('answers the string shape: expires_in as a string, token_type BearerToken', async () => {
    emu = await startEmulator({ tokenShape: 'string' });
    const { status, body, headers } = await getToken(emu);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'BearerToken', expires_in: '1800', scope: '' });
  });

  it('answers the number shape: a JWT, expires_in as a number', async () => {
    emu = await startEmulator({ tokenShape: 'number', tokenLifetimeSec: 600 });
    const { status, body } = await getToken(emu);
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'profile',
    });
    const payload = JSON.parse(Buffer.from(String(body.access_token).split('.')[1]!, 'base64url').toString()) as { sub: string };
    expect(payload.sub).toBe(DEFAULT_CLIENT.id);
  });

  it('refuses a wrong secret with 401 invalid_client, and a foreign grant type with 400', async () => {
    emu = await startEmulator();
    const wrong = await getToken(emu, 'not-the-secret');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid_client' });
    const res = await fetch(emu.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: DEFAULT_CLIENT.id, client_secret: DEFAULT_CLIENT.secret }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'unsupported_grant_type' });
  });

  it('accepts client credentials sent as HTTP Basic, and configured clients only', async () => {
    emu = await startEmulator({ clients: [{ id: 'other', secret: 's3' }] });
    const basic = (id: string, secret: string): Promise<Response> =>
      fetch(emu!.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
    expect((await basic('other', 's3')).status).toBe(200);
    expect((await basic(DEFAULT_CLIENT.id, DEFAULT_CLIENT.secret)).status).toBe(401);
  });
});

describe('bulk endpoints require a valid token', () => {
  it('answers 401 without a token and with an unknown one', async () => {
    emu = await startEmulator();
    for (const auth of [undefined, 'Bearer made-up', 'Basic abc']) {
      const answer = await postBulk(emu, '/users/bulk/sourceId', oneUser, auth);
      expect(answer.status).toBe(401);
      expect(answer.body.error.status).toBe(401);
    }
    expect(emu.store.users()).toEqual([]);
    expect(emu.log.countByStatus(401)).toBe(3);
  });

  it('answers 401 once the token has expired (short lifetime), 200 with a fresh one', async () => {
    const clock = new VirtualClock();
    emu = await startEmulator({ tokenLifetimeSec: 0.3, now: () => clock.now() });
    const auth = await bearer(emu);
    expect((await postBulk(emu, '/users/bulk/sourceId', oneUser, auth)).status).toBe(200);
    clock.advance(299);
    expect((await postBulk(emu, '/users/bulk/sourceId', oneUser, auth)).status).toBe(200);
    clock.advance(1);
    expect((await postBulk(emu, '/users/bulk/sourceId', oneUser, auth)).status).toBe(401);
    expect((await postBulk(emu, '/users/bulk/sourceId', oneUser, await bearer(emu))).status).toBe(200);
  });

  it('the tokenLifetimeSec fault shortens tokens issued after it; expireTokens invalidates issued ones', async () => {
    emu = await startEmulator({ tokenShape: 'string' });
    const early = await bearer(emu);
    emu.setFaults({ tokenLifetimeSec: 5 });
    expect((await getToken(emu)).body.expires_in).toBe('5');
    expect((await postBulk(emu, '/users/bulk/sourceId', oneUser, early)).status).toBe(200);
    emu.setFaults({ expireTokens: true });
    expect((await postBulk(emu, '/users/bulk/sourceId', oneUser, early)).status).toBe(401);
    expect((await getToken(emu)).body.expires_in).toBe('1800');
  });
});
