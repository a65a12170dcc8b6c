/**
 * Checks a mapped item against its resource's closed item schema before it is sent, so a bad
 * record becomes one reject line instead of failing a whole bulk request at the API (which
 * rejects the entire request on any schema violation).
 */
import type { PropelItem } from '../../core/record.js';
import type { ResourceName } from '../../core/resource.js';
import { compileExhaustiveItemSchema, compileItemSchema } from './schema-registry.js';
import { describeSchemaError, primaryError } from './schema-reason.js';

export { describeSchemaError, pointerToPath, primaryError } from './schema-reason.js';

/** Returns undefined for a valid item, otherwise one plain-words reason naming the field path. */
export interface ItemValidator {
  (item: PropelItem): string | undefined;
  /** Every problem of an item that failed, in plain words (the exhaustive schema: call it only after a failure). */
  readonly all: (item: PropelItem) => string[];
}

export function createItemValidator(resource: ResourceName): ItemValidator {
  const validate = compileItemSchema(resource);
  const check = (item: PropelItem): string | undefined => {
    if (validate(item)) return undefined;
    const error = primaryError(validate.errors ?? []);
    return error === undefined ? 'does not match the item schema' : describeSchemaError(error);
  };
  const all = (item: PropelItem): string[] => {
    const exhaustive = compileExhaustiveItemSchema(resource);
    if (exhaustive(item)) return [];
    // A failed if/then is reported twice (the branch's failure, then `if`); the branch's is the one that says what is wrong.
    const reasons = (exhaustive.errors ?? []).filter((e) => e.keyword !== 'if').map(describeSchemaError);
    return [...new Set(reasons)];
  };
  return Object.assign(check, { all });
}
