/**
 * Checks a mapped item against its resource's closed item schema before it is sent, so a bad
 * record becomes one reject line instead of failing a whole bulk request at the API (which
 * rejects the entire request on any schema violation).
 */
import type { PropelItem } from '../core/record.js';
import type { ResourceName } from '../core/resource.js';
import { compileItemSchema } from './schema-registry.js';
import { describeSchemaError, primaryError } from './schema-reason.js';

export { describeSchemaError, pointerToPath, primaryError } from './schema-reason.js';

/** Returns undefined for a valid item, otherwise one plain-words reason naming the field path. */
export type ItemValidator = (item: PropelItem) => string | undefined;

export function createItemValidator(resource: ResourceName): ItemValidator {
  const validate = compileItemSchema(resource);
  return (item) => {
    if (validate(item)) return undefined;
    const error = primaryError(validate.errors ?? []);
    return error === undefined ? 'does not match the item schema' : describeSchemaError(error);
  };
}
