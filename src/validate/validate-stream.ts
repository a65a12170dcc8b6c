/** The validator as a pipeline stage: ItemRecord in, the same ItemRecord or a 'validate' reject out. */
import { Transform, type TransformCallback } from 'node:stream';
import { reject, type ItemEvent } from '../core/record.js';
import type { ResourceName } from '../core/resource.js';
import { createItemValidator } from './item-validator.js';

export function createValidateStream(resource: ResourceName): Transform {
  const validate = createItemValidator(resource);
  return new Transform({
    objectMode: true,
    transform(event: ItemEvent, _encoding: BufferEncoding, callback: TransformCallback): void {
      if (event.kind !== 'item') {
        callback(null, event);
        return;
      }
      const reason = validate(event.item);
      callback(null, reason === undefined ? event : reject(event.prov, 'validate', reason, event.source));
    },
  });
}
