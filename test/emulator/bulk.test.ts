import { beforeEach, describe, expect, it } from 'vitest';
import { emulatorWithToken, postBulk } from './helpers.js';

const fx = emulatorWithToken();

const users = (list: unknown[]) => postBulk(fx.emu, '/users/bulk/sourceId', { users: list }, fx.auth);
const groups = (list: unknown[], directives?: unknown) =>
  postBulk(fx.emu, '/usergroups/bulk/id', directives === undefined ? { usergroups: list } : { usergroups: list, directives }, fx.auth);

describe('request validation', () => {
  it('answers 10005 to a body that is not JSON', async () => {
    const answer = await postBulk(fx.emu, '/users/bulk/sourceId', '{"users": [', fx.auth);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 10005,
      status: 400,
      type: 'InvalidJSONPayload',
      moreInfo: 'https://www.propel.us/docs/errors/10005',
    });
  });

  it('answers 10007 naming every violating item with a pointer, and stores nothing', async () => {
    const answer = await users([
      { sourceId: '0' },
      { source: 'ERP', sourceId: '1' },
      { source: 'ERP', sourceId: '2', gender: 'X' },
      { source: 'ERP', sourceId: '3', foo: 1 },
      { source: 'ERP', sourceId: 4 },
      { source: 'ERP', sourceId: '5', addresses: [{ type: 'invoice', street: 's', city: 'c', country: 'nl' }] },
      { source: 'ERP', sourceId: '6', dateOfBirth: '1980-1-1' },
      'not an object',
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: {
        code: 10007,
        status: 400,
        type: 'SchemaValidationException',
        messages: [
          '#/users/0: required key [source] not found',
          '#/users/2/gender: X is not a valid enum value',
          '#/users/3: extraneous key [foo] is not permitted',
          '#/users/4/sourceId: expected type: String, found: Integer',
          '#/users/5/addresses/0/country: string [nl] does not match pattern ^[A-Z]{2}$',
          '#/users/6/dateOfBirth: string [1980-1-1] does not match pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
          '#/users/7: expected type: JSONObject, found: String',
        ],
        moreInfo: 'https://www.propel.us/docs/errors/10007',
      },
    });
    expect(fx.emu.store.users()).toEqual([]);
  });

  it('checks the envelope: list required, no other keys, directives well-formed', async () => {
    const extra = await postBulk(fx.emu, '/users/bulk/sourceId', { users: [], items: [] }, fx.auth);
    expect(extra.body.error.messages).toEqual(['#: extraneous key [items] is not permitted']);
    const noList = await postBulk(fx.emu, '/users/bulk/sourceId', {}, fx.auth);
    expect(noList.body.error.messages).toEqual(['#: required key [users] not found']);
    const notArray = await postBulk(fx.emu, '/users/bulk/sourceId', { users: {} }, fx.auth);
    expect(notArray.body.error.messages).toEqual(['#/users: expected type: JSONArray, found: JSONObject']);
    const directivesOnUsers = await postBulk(fx.emu, '/users/bulk/sourceId', { users: [], directives: [] }, fx.auth);
    expect(directivesOnUsers.body.error.messages).toEqual(['#: extraneous key [directives] is not permitted']);
    const badDirective = await groups([{ id: 1, sourceId: 'G1' }], [{ operation: 'skipEverything', fields: [] }]);
    expect(badDirective.status).toBe(400);
    expect(badDirective.body.error.messages).toEqual([
      '#/directives/0/operation: skipEverything is not a valid enum value',
      '#/usergroups/0: property [source] is required',
    ]);
  });
});

describe('upserts', () => {
  it('creates, then updates with the fields sent merged over the stored ones', async () => {
    const first = await users([
      { source: 'ERP', sourceId: 'A', firstName: 'Anna', email: 'a@x.nl' },
      { source: 'ERP', sourceId: 'B' },
    ]);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      data: [
        { action: 'create', id: expect.any(Number), key: 'A', lookupKey: 'sourceId', success: true },
        { action: 'create', id: expect.any(Number), key: 'B', lookupKey: 'sourceId', success: true },
      ],
      messages: ['Completed'],
      total: 2,
    });
    const second = await users([{ source: 'ERP', sourceId: 'A', email: 'anna@x.nl' }]);
    expect(second.body.data).toEqual([{ action: 'update', id: first.body.data[0].id, key: 'A', lookupKey: 'sourceId', success: true }]);
    expect(fx.emu.store.getUser('ERP', 'A')?.item).toEqual({ source: 'ERP', sourceId: 'A', firstName: 'Anna', email: 'anna@x.nl' });
  });

  it('makes language part of a user key, and keys case-sensitive', async () => {
    const answer = await users([
      { source: 'ERP', sourceId: 'A', language: 'NL' },
      { source: 'ERP', sourceId: 'A', language: 'EN' },
      { source: 'ERP', sourceId: 'A' },
      { source: 'ERP', sourceId: 'a', language: 'NL' },
      { source: 'erp', sourceId: 'A', language: 'NL' },
      { source: 'ERP', sourceId: 'A', language: 'NL', firstName: 'again' },
    ]);
    expect(answer.body.data.map((r: { action: string }) => r.action)).toEqual(['create', 'create', 'create', 'create', 'create', 'update']);
    expect(fx.emu.store.users()).toHaveLength(5);
    expect(fx.emu.store.getUser('ERP', 'A', 'NL')?.item.firstName).toBe('again');
    expect(fx.emu.store.getUser('ERP', 'A')?.item).toEqual({ source: 'ERP', sourceId: 'A' });
  });

  it('keys usergroups by id; the internal id is the id', async () => {
    const answer = await groups([
      { id: 7, name: 'Seven' },
      { id: 7, notes: 'n' },
    ]);
    expect(answer.body.data).toEqual([
      { action: 'create', id: 7, key: 7, lookupKey: 'id', success: true },
      { action: 'update', id: 7, key: 7, lookupKey: 'id', success: true },
    ]);
    expect(fx.emu.store.getUsergroup(7)?.item).toEqual({ id: 7, name: 'Seven', notes: 'n' });
  });

  it('refuses a second usergroup with a source + sourceId already taken', async () => {
    const answer = await groups([
      { id: 1, source: 'ERP', sourceId: 'G' },
      { id: 2, source: 'ERP', sourceId: 'G' },
    ]);
    expect(answer.body.data[1]).toMatchObject({
      success: false,
      key: 2,
      error: 'Usergroup with sourceId [G] and source [ERP] already exists.',
    });
    expect(fx.emu.store.getUsergroup(2)).toBeUndefined();
  });
});

describe('parents', () => {
  it('fails only the items whose parent is missing, stores the rest', async () => {
    fx.emu.store.seedUsergroup({ id: 1, source: 'ERP', sourceId: 'G1' });
    const answer = await users([
      { source: 'ERP', sourceId: 'A', parent: { id: 42 } },
      { source: 'ERP', sourceId: 'B', parent: { id: 1 } },
      { source: 'ERP', sourceId: 'C', parent: { source: 'ERP', sourceId: 'nope' } },
      { source: 'ERP', sourceId: 'D', parent: { source: 'ERP', sourceId: 'G1', language: 'NL' } },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([
      { action: 'create', key: 'A', lookupKey: 'sourceId', success: false, error: 'Parent usergroup with id [42] not found.' },
      { action: 'create', id: expect.any(Number), key: 'B', lookupKey: 'sourceId', success: true },
      {
        action: 'create',
        key: 'C',
        lookupKey: 'sourceId',
        success: false,
        error: 'Parent usergroup with sourceId [nope] and source [ERP] not found.',
      },
      { action: 'create', id: expect.any(Number), key: 'D', lookupKey: 'sourceId', success: true },
    ]);
    expect(fx.emu.store.users().map((u) => u.item.sourceId)).toEqual(['B', 'D']);
  });

  it('reports action update for an existing item whose new parent is missing, and keeps it unchanged', async () => {
    await users([{ source: 'ERP', sourceId: 'A', firstName: 'old' }]);
    const answer = await users([{ source: 'ERP', sourceId: 'A', firstName: 'new', parent: { id: 9 } }]);
    expect(answer.body.data[0]).toMatchObject({ action: 'update', success: false });
    expect(fx.emu.store.getUser('ERP', 'A')?.item.firstName).toBe('old');
  });

  it('accepts a parent created earlier in the same request, not one created later', async () => {
    const answer = await groups([
      { id: 1, name: 'root' },
      { id: 2, parent: { id: 1 } },
      { id: 3, parent: { id: 4 } },
      { id: 4, name: 'late' },
    ]);
    expect(answer.body.data.map((r: { success: boolean }) => r.success)).toEqual([true, true, false, true]);
    expect(fx.emu.store.usergroups().map((g) => g.id)).toEqual([1, 2, 4]);
  });
});

describe('usergroup directives', () => {
  beforeEach(async () => {
    await groups([{ id: 1 }, { id: 2 }, { id: 10, name: 'Kept', company: '', parent: { id: 1 } }]);
  });

  it('skipIfNotEmpty keeps stored non-empty fields; skipMoveOnUpdate keeps the stored parent', async () => {
    const answer = await groups(
      [{ id: 10, name: 'New', company: 'ACME', notes: 'n', parent: { id: 2 } }],
      [
        { operation: 'skipIfNotEmpty', fields: ['name', 'company'] },
        { operation: 'skipMoveOnUpdate', fields: [] },
      ],
    );
    expect(answer.body.data[0]).toMatchObject({ action: 'update', success: true });
    expect(fx.emu.store.getUsergroup(10)?.item).toEqual({ id: 10, name: 'Kept', company: 'ACME', notes: 'n', parent: { id: 1 } });
    expect(fx.emu.log.entries().at(-1)?.directives).toEqual([
      { operation: 'skipIfNotEmpty', fields: ['name', 'company'] },
      { operation: 'skipMoveOnUpdate', fields: [] },
    ]);
  });

  it('without directives an update overwrites and moves', async () => {
    await groups([{ id: 10, name: 'New', parent: { id: 2 } }]);
    expect(fx.emu.store.getUsergroup(10)?.item).toMatchObject({ name: 'New', parent: { id: 2 } });
  });

  it('directives do not touch creates; the object form is accepted too', async () => {
    const answer = await groups(
      [
        { id: 11, name: 'Fresh', parent: { id: 2 } },
        { id: 10, name: 'New' },
      ],
      { skipIfNotEmpty: ['name'] },
    );
    expect(answer.status).toBe(200);
    expect(fx.emu.store.getUsergroup(11)?.item).toEqual({ id: 11, name: 'Fresh', parent: { id: 2 } });
    expect(fx.emu.store.getUsergroup(10)?.item.name).toBe('Kept');
    expect(fx.emu.log.entries().at(-1)?.directives).toEqual([{ operation: 'skipIfNotEmpty', fields: ['name'] }]);
  });

  it('skipMoveOnUpdate does not fail an update naming a missing parent, since the parent is not applied', async () => {
    const answer = await groups([{ id: 10, parent: { id: 999 } }], [{ operation: 'skipMoveOnUpdate', fields: [] }]);
    expect(answer.body.data[0]).toMatchObject({ success: true });
    expect(fx.emu.store.getUsergroup(10)?.item.parent).toEqual({ id: 1 });
  });
});
