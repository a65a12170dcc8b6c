/**
 * Propel's 400 messages point into the request body: `#/users/12: reason` or
 * `#/users/12/email: reason`. These say which items of the request the server refused.
 */
export interface ItemPointer {
  /** 0-based index of the item in the request's list. */
  readonly index: number;
  /** What the server said, with the field path in front when the pointer named a field (`email: …`). */
  readonly message: string;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Parses one message; undefined when it does not point at an item of `listKey`. */
export function parsePointer(message: string, listKey: string): ItemPointer | undefined {
  const re = new RegExp(`^\\s*#/${escapeRegExp(listKey)}/(\\d+)((?:/[^:\\s]*)?)\\s*:\\s*(.*)$`, 's');
  const m = re.exec(message);
  if (m === null) return undefined;
  const index = Number(m[1]);
  const path = (m[2] ?? '').replace(/^\//, '');
  const text = (m[3] ?? '').trim();
  const message_ = path === '' ? text : `${path}: ${text}`;
  return { index, message: message_ === '' ? 'refused by the API without a reason' : message_ };
}

/**
 * Groups the messages that point at items by item index, keeping only indices inside the
 * request (`count` items); a pointer past the end is the server's confusion, not an item to blame.
 */
export function itemMessages(messages: readonly string[], listKey: string, count: number): Map<number, string[]> {
  const byIndex = new Map<number, string[]>();
  for (const m of messages) {
    const p = parsePointer(m, listKey);
    if (p === undefined || p.index >= count) continue;
    const list = byIndex.get(p.index);
    if (list === undefined) byIndex.set(p.index, [p.message]);
    else list.push(p.message);
  }
  return byIndex;
}
