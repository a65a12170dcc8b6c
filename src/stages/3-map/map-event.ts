/**
 * One event through the mapper: a SourceRecord becomes an ItemRecord (with its lookup key) or a
 * map-stage RejectEvent; rejects from earlier stages pass unchanged. The run calls it per record
 * inside the admit gate (src/run/prepare-event.ts).
 */
import { type ItemEvent, type ReadEvent, reject } from '../../core/record.js';
import { type ResourceName, lookupKey } from '../../core/resource.js';
import type { CompiledMapping } from './compile-mapping.js';

export function mapEvent(mapping: CompiledMapping, resource: ResourceName, event: ReadEvent): ItemEvent {
  if (event.kind === 'reject') return event;
  const result = mapping(event.data);
  if (!result.ok) return reject(event.prov, 'map', result.reason, event.data, result.reasons);
  // A missing key still flows on: the validator rejects the item and names the missing fields.
  const key = lookupKey(resource, result.item) ?? '';
  return { kind: 'item', prov: event.prov, item: result.item, key, source: event.data };
}
