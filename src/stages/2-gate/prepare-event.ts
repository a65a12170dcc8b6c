import type { PreparedEvent, SourceData, SourceEvent } from '../../core/record.js';
import type { ResourceName } from '../../core/resource.js';
import type { CompiledMapping } from '../3-map/compile-mapping.js';
import { mapEvent } from '../3-map/map-event.js';
import { createItemValidator } from '../4-validate/item-validator.js';
import { validateEvent } from '../4-validate/validate-event.js';

/**
 * Map then validate, as one function per record: the run calls it inside the admit gate's chunk
 * loop instead of passing each record through a map stage and a validate stage. A record the delta
 * state knows by its text (`known`) goes on untouched: the delta filter settles it.
 */
export function createPrepareEvent(
  mapping: CompiledMapping,
  resource: ResourceName,
  keyOf?: (data: SourceData) => string | undefined,
): (ev: SourceEvent) => PreparedEvent {
  const validate = createItemValidator(resource);
  return (ev) => validateEvent(validate, mapEvent(mapping, resource, ev, keyOf));
}
