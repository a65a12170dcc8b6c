/**
 * `propel-etl init` marks what it could not decide with CHANGE_ME. Left in place it would be
 * sent (every user created with `source: "CHANGE_ME"`), so a pipeline file holding one anywhere
 * is refused when it is loaded.
 */
import { ConfigError } from '../core/errors.js';
import { formatKeyPath, type KeyPath } from './key-path.js';
import type { SourceDocument } from './load-document.js';

export const PLACEHOLDER = 'CHANGE_ME';

/** The first key path (in document order of the data) whose key or string value holds the placeholder. */
function findPlaceholder(data: unknown, path: (string | number)[]): KeyPath | undefined {
  if (typeof data === 'string') return data.includes(PLACEHOLDER) ? path : undefined;
  if (Array.isArray(data)) {
    for (const [i, v] of data.entries()) {
      const found = findPlaceholder(v, [...path, i]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (data !== null && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (k.includes(PLACEHOLDER)) return [...path, k];
      const found = findPlaceholder(v, [...path, k]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export function checkPlaceholders(doc: SourceDocument, data: unknown): void {
  const path = findPlaceholder(data, []);
  if (path === undefined) return;
  const key = formatKeyPath(path);
  throw new ConfigError(
    `${key} still holds the placeholder ${PLACEHOLDER}: replace it with the real value (propel-etl init could not tell it)`,
    {
      file: doc.file,
      line: doc.lineOf(path),
      key,
    },
  );
}
