/**
 * The emulator's database: users keyed by source + sourceId + language, usergroups by id (plus
 * an index by source + sourceId, which parents may name). Keys are case-sensitive, as Propel's.
 */
import { randomUUID } from 'node:crypto';
import type { PropelItem } from '../core/record.js';
import { lookupKey } from '../core/resource.js';

export interface StoredItem {
  /** Propel's internal id. */
  readonly id: number;
  readonly item: PropelItem;
}

export type UpsertAction = 'create' | 'update';

/** The usergroup a `parent` names: `{id}` or `{source, sourceId[, language]}`. */
export type ParentRef = { id: number } | { source: string; sourceId: string; language?: string };

/** Everything the store holds, as JSON (the emulator's `stateFile`). */
export interface StoreSnapshot {
  readonly version: 1;
  /** Who this store is (see EmulatorStore.storeId); absent in files written before it existed. */
  readonly storeId?: string;
  readonly nextUserId: number;
  readonly users: readonly StoredItem[];
  readonly usergroups: readonly StoredItem[];
}

function sourceIndexKey(source: unknown, sourceId: unknown): string {
  return JSON.stringify([source, sourceId]);
}

function copy(stored: StoredItem): StoredItem {
  return { id: stored.id, item: structuredClone(stored.item) };
}

export class EmulatorStore {
  readonly #users = new Map<string, StoredItem>();
  readonly #usergroups = new Map<number, StoredItem>();
  readonly #usergroupsBySource = new Map<string, number>();
  #storeId: string = randomUUID();
  // Internal user ids start well away from usergroup ids so a test cannot confuse the two.
  #nextUserId = 100_001;

  /** Copies of all stored users, in creation order. */
  users(): StoredItem[] {
    return [...this.#users.values()].map(copy);
  }

  usergroups(): StoredItem[] {
    return [...this.#usergroups.values()].map(copy);
  }

  getUser(source: string, sourceId: string, language?: string): StoredItem | undefined {
    const found = this.#users.get(this.#userKey({ source, sourceId, language }));
    return found === undefined ? undefined : copy(found);
  }

  getUsergroup(id: number): StoredItem | undefined {
    const found = this.#usergroups.get(id);
    return found === undefined ? undefined : copy(found);
  }

  /** The stored user with this item's identity, uncopied (for the bulk handler). */
  peekUser(item: PropelItem): StoredItem | undefined {
    return this.#users.get(this.#userKey(item));
  }

  peekUsergroup(id: number): StoredItem | undefined {
    return this.#usergroups.get(id);
  }

  /** The id of the usergroup holding this source + sourceId. */
  usergroupIdBySource(source: unknown, sourceId: unknown): number | undefined {
    return this.#usergroupsBySource.get(sourceIndexKey(source, sourceId));
  }

  hasParent(ref: ParentRef): boolean {
    if ('id' in ref) return this.#usergroups.has(ref.id);
    return this.#usergroupsBySource.has(sourceIndexKey(ref.source, ref.sourceId));
  }

  /**
   * Creates the user, or merges `item` over the stored one (fields not sent are kept). Takes
   * ownership of `item`: the bulk handler passes items parsed from the request body, which
   * nothing else holds, and a deep copy per item was most of the emulator's time under load.
   * Read-back (users(), getUser()) still hands out copies.
   */
  upsertUser(item: PropelItem): { action: UpsertAction; id: number } {
    const key = this.#userKey(item);
    const stored = this.#users.get(key);
    if (stored === undefined) {
      const id = this.#nextUserId++;
      this.#users.set(key, { id, item });
      return { action: 'create', id };
    }
    this.#users.set(key, { id: stored.id, item: { ...stored.item, ...item } });
    return { action: 'update', id: stored.id };
  }

  /** Creates the usergroup, or merges `item` over the stored one. Its internal id is its id. */
  upsertUsergroup(item: PropelItem): { action: UpsertAction; id: number } {
    const id = item.id as number;
    const stored = this.#usergroups.get(id);
    const merged = stored === undefined ? structuredClone(item) : { ...stored.item, ...structuredClone(item) };
    if (stored !== undefined && stored.item.source !== undefined) {
      this.#usergroupsBySource.delete(sourceIndexKey(stored.item.source, stored.item.sourceId));
    }
    if (merged.source !== undefined) this.#usergroupsBySource.set(sourceIndexKey(merged.source, merged.sourceId), id);
    this.#usergroups.set(id, { id, item: merged });
    return { action: stored === undefined ? 'create' : 'update', id };
  }

  /** Puts a usergroup in place without a request, e.g. a parent that exists before a test. */
  seedUsergroup(item: PropelItem & { id: number }): StoredItem {
    this.upsertUsergroup(item);
    return this.getUsergroup(item.id) as StoredItem;
  }

  /**
   * A new id whenever the store starts empty (a start without a state file, clear()), kept in
   * the state file: a delta state remembers what this store acknowledged, and must not be
   * applied to another (src/state/target-identity.ts).
   */
  get storeId(): string {
    return this.#storeId;
  }

  clear(): void {
    this.#storeId = randomUUID();
    this.#users.clear();
    this.#usergroups.clear();
    this.#usergroupsBySource.clear();
  }

  snapshot(): StoreSnapshot {
    return { version: 1, storeId: this.#storeId, nextUserId: this.#nextUserId, users: this.users(), usergroups: this.usergroups() };
  }

  /** Replaces the contents with a snapshot; ids are kept, so a restarted emulator answers `update` with the same id. */
  restore(snapshot: StoreSnapshot): void {
    this.clear();
    if (snapshot.storeId !== undefined) this.#storeId = snapshot.storeId;
    for (const g of snapshot.usergroups) this.upsertUsergroup(g.item);
    for (const u of snapshot.users) this.#users.set(this.#userKey(u.item), copy(u));
    const highest = snapshot.users.reduce((m, u) => Math.max(m, u.id + 1), 0);
    this.#nextUserId = Math.max(snapshot.nextUserId, highest, 100_001);
  }

  #userKey(item: Readonly<Record<string, unknown>>): string {
    // The same identity the tool computes, so the emulator and the pipeline agree on "same user".
    return lookupKey('users', item) ?? JSON.stringify([item.source, item.sourceId, null]);
  }
}
