/**
 * One event through the mapper: a SourceRecord becomes an ItemRecord (with its lookup key) or a
 * map-stage RejectEvent; rejects from earlier stages pass unchanged. The run calls it per record
 * inside the admit gate (src/run/prepare-event.ts).
 */
import { type ItemEvent, type PreparedEvent, type ReadEvent, type SourceEvent, type SourceData, reject } from '../../core/record.js';
import { type ResourceName, lookupKey } from '../../core/resource.js';
import type { CompiledMapping } from './compile-mapping.js';

/**
 * `keyOf`: the lookup key of a record the mapping refused, from its key fields alone (keyMapping),
 * so a delta run knows the row is still there.
 */
export function mapEvent(
  mapping: CompiledMapping,
  resource: ResourceName,
  event: ReadEvent,
  keyOf?: (data: SourceData) => string | undefined,
): ItemEvent;
export function mapEvent(
  mapping: CompiledMapping,
  resource: ResourceName,
  event: SourceEvent,
  keyOf?: (data: SourceData) => string | undefined,
): PreparedEvent;
export function mapEvent(
  mapping: CompiledMapping,
  resource: ResourceName,
  event: SourceEvent,
  keyOf?: (data: SourceData) => string | undefined,
): PreparedEvent {
  if (event.kind !== 'record') return event;
  const result = mapping(event.data);
  if (!result.ok) {
    const refused = reject(event.prov, 'map', result.reason, event.data, result.reasons);
    const key = keyOf?.(event.data);
    return key !== undefined ? { ...refused, key } : refused;
  }
  // A missing key still flows on: the validator rejects the item and names the missing fields.
  const key = lookupKey(resource, result.item) ?? '';
  return event.textHash !== undefined
    ? { kind: 'item', prov: event.prov, item: result.item, key, source: event.data, textHash: event.textHash }
    : { kind: 'item', prov: event.prov, item: result.item, key, source: event.data };
}
