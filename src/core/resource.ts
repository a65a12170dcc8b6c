/** The two Propel resources this tool imports, and what differs between them. */
export type ResourceName = 'users' | 'usergroups';

export interface ResourceInfo {
  readonly name: ResourceName;
  /** Path under the REST base URL. */
  readonly path: string;
  /** The array property of the request body, also the list name in `#/<list>/<n>` pointers. */
  readonly listKey: ResourceName;
  /** Lookup key name the API reports in results. */
  readonly lookupKey: 'sourceId' | 'id';
}

export const RESOURCES: Readonly<Record<ResourceName, ResourceInfo>> = {
  users: { name: 'users', path: '/users/bulk/sourceId', listKey: 'users', lookupKey: 'sourceId' },
  usergroups: { name: 'usergroups', path: '/usergroups/bulk/id', listKey: 'usergroups', lookupKey: 'id' },
};

export function isResourceName(s: unknown): s is ResourceName {
  return s === 'users' || s === 'usergroups';
}

/**
 * The identity of an item at the API, as one string. Users are identified by source + sourceId
 * + language (the endpoint page's words); usergroups by id. Lookup keys are case-sensitive.
 * Returns undefined when the item lacks its key (the validator then rejects it).
 */
export function lookupKey(resource: ResourceName, item: Readonly<Record<string, unknown>>): string | undefined {
  if (resource === 'users') {
    const { source, sourceId, language } = item;
    if (source === undefined || sourceId === undefined) return undefined;
    return JSON.stringify([source, String(sourceId), language ?? null]);
  }
  return item.id === undefined ? undefined : String(item.id);
}
