/**
 * One bulk request, after authentication and JSON parsing: schema check of the whole body,
 * then an upsert per item in request order, each answered on its own (a missing parent fails
 * that item only). Earlier items of the same request are visible to later ones, so a parent
 * sent before its child in one request is found.
 */
import type { PropelItem } from '../core/record.js';
import { lookupKey, RESOURCES, type ResourceName } from '../core/resource.js';
import { applyUpdateDirectives, normaliseDirectives, type Directive } from './directives.js';
import { propelErrors, type PropelErrorBody } from './propel-errors.js';
import { requestViolations } from './request-schema.js';
import type { EmulatorStore, ParentRef, UpsertAction } from './store.js';

export interface ItemResult {
  action: UpsertAction;
  id?: number;
  key: string | number;
  lookupKey: 'sourceId' | 'id';
  success: boolean;
  error?: string;
}

export interface BulkResponse {
  data: ItemResult[];
  messages: string[];
  total: number;
}

export type BulkOutcome =
  | { status: 400; body: PropelErrorBody; directives: Directive[] }
  | { status: 200; body: BulkResponse; directives: Directive[] };

export interface BulkContext {
  readonly store: EmulatorStore;
  /** Whether an item with this key is to be refused (the refuseItems fault). */
  readonly refuses: (key: string) => boolean;
  /** Whether the server's schema refuses an item with this key (the invalidItems fault). */
  readonly invalid?: (key: string) => boolean;
  /** Whether an item with this key gets the request refused without a pointer (the opaqueItems fault). */
  readonly opaque?: (key: string) => boolean;
}

function parentError(ref: ParentRef): string {
  return 'id' in ref
    ? `Parent usergroup with id [${ref.id}] not found.`
    : `Parent usergroup with sourceId [${ref.sourceId}] and source [${ref.source}] not found.`;
}

type Key = Pick<ItemResult, 'key' | 'lookupKey'>;

// Keys in Propel's (alphabetical) order, so answers read like the documented examples.
function succeeded(action: UpsertAction, id: number, k: Key): ItemResult {
  return { action, id, key: k.key, lookupKey: k.lookupKey, success: true };
}

function failed(action: UpsertAction, error: string, k: Key): ItemResult {
  return { action, error, key: k.key, lookupKey: k.lookupKey, success: false };
}

function applyUser(ctx: BulkContext, item: PropelItem): ItemResult {
  const sourceId = item.sourceId as string;
  const key: Key = { key: sourceId, lookupKey: 'sourceId' };
  const action: UpsertAction = ctx.store.peekUser(item) === undefined ? 'create' : 'update';
  if (ctx.refuses(sourceId) || ctx.refuses(lookupKey('users', item) ?? '')) {
    return failed(action, `User with sourceId [${sourceId}] was refused by the server.`, key);
  }
  const parent = item.parent as ParentRef | undefined;
  if (parent !== undefined && !ctx.store.hasParent(parent)) return failed(action, parentError(parent), key);
  const done = ctx.store.upsertUser(item);
  return succeeded(done.action, done.id, key);
}

function applyUsergroup(ctx: BulkContext, sent: PropelItem, directives: readonly Directive[]): ItemResult {
  const id = sent.id as number;
  const key: Key = { key: id, lookupKey: 'id' };
  const stored = ctx.store.peekUsergroup(id);
  const action: UpsertAction = stored === undefined ? 'create' : 'update';
  if (ctx.refuses(String(id))) return failed(action, `Usergroup with id [${id}] was refused by the server.`, key);
  const item = stored === undefined ? sent : applyUpdateDirectives(sent, stored.item, directives);
  const parent = item.parent as ParentRef | undefined;
  if (parent !== undefined && !ctx.store.hasParent(parent)) return failed(action, parentError(parent), key);
  if (item.source !== undefined) {
    const holder = ctx.store.usergroupIdBySource(item.source, item.sourceId);
    if (holder !== undefined && holder !== id) {
      return failed(action, `Usergroup with sourceId [${String(item.sourceId)}] and source [${String(item.source)}] already exists.`, key);
    }
  }
  const done = ctx.store.upsertUsergroup(item);
  return succeeded(done.action, done.id, key);
}

/**
 * Messages for the items an injected fault names: `#/users/N/sourceId: …` per invalidItems item,
 * worded like a schema violation, and one message without a pointer if any opaqueItems item is there.
 */
function injectedViolations(ctx: BulkContext, resource: ResourceName, body: unknown): string[] {
  const { invalid, opaque } = ctx;
  const { listKey } = RESOURCES[resource];
  const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[listKey] : undefined;
  if ((invalid === undefined && opaque === undefined) || !Array.isArray(list)) return [];
  const field = resource === 'users' ? 'sourceId' : 'id';
  const out: string[] = [];
  let unpointed = false;
  list.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) return;
    const item = entry as Record<string, unknown>;
    const value = item[field];
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const keys = [String(value), lookupKey(resource, item) ?? ''];
    const is = (test: ((key: string) => boolean) | undefined): boolean => test !== undefined && keys.some(test);
    if (is(invalid)) out.push(`#/${listKey}/${index}/${field}: [${String(value)}] is not a valid value`);
    if (is(opaque)) unpointed = true;
  });
  if (unpointed) out.push(`The request violates a server rule for ${listKey}.`);
  return out;
}

/** Handles a parsed request body. */
export function handleBulk(ctx: BulkContext, resource: ResourceName, body: unknown): BulkOutcome {
  const violations = [...requestViolations(resource, body), ...injectedViolations(ctx, resource, body)];
  const record = body as Record<string, unknown>;
  if (violations.length > 0) {
    return { status: 400, body: propelErrors.schema(violations), directives: [] };
  }
  const items = record[RESOURCES[resource].listKey] as PropelItem[];
  const directives = resource === 'usergroups' ? normaliseDirectives(record.directives) : [];
  const data = items.map((item) => (resource === 'users' ? applyUser(ctx, item) : applyUsergroup(ctx, item, directives)));
  return { status: 200, body: { data, messages: ['Completed'], total: data.length }, directives };
}
