/** The mapper as a pipeline stage: SourceRecord -> ItemRecord or a map-stage RejectEvent. */
import { Transform, type TransformCallback } from 'node:stream';
import { type ItemEvent, type ReadEvent, reject } from '../core/record.js';
import { type ResourceName, lookupKey } from '../core/resource.js';
import type { CompiledMapping } from './compile-mapping.js';

export function mapEvent(mapping: CompiledMapping, resource: ResourceName, event: ReadEvent): ItemEvent {
  if (event.kind === 'reject') return event;
  const result = mapping(event.data);
  if (!result.ok) return reject(event.prov, 'map', result.reason, event.data);
  // A missing key still flows on: the validator rejects the item and names the missing fields.
  const key = lookupKey(resource, result.item) ?? '';
  return { kind: 'item', prov: event.prov, item: result.item, key, source: event.data };
}

export function createMapStream(mapping: CompiledMapping, resource: ResourceName): Transform {
  return new Transform({
    objectMode: true,
    transform(event: ReadEvent, _encoding: BufferEncoding, callback: TransformCallback) {
      let out: ItemEvent;
      try {
        out = mapEvent(mapping, resource, event);
      } catch (err) {
        // Only a bug gets here (bad data is a reject); fail the pipeline instead of crashing the process.
        callback(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      callback(null, out);
    },
  });
}
