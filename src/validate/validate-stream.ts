/** The validator as a pipeline stage: ItemRecord in, the same ItemRecord or a 'validate' reject out. */
import { Transform, type TransformCallback } from 'node:stream';
import { reject, type ItemEvent } from '../core/record.js';
import type { ResourceName } from '../core/resource.js';
import { createItemValidator, type ItemValidator } from './item-validator.js';

/** One event through the validator: rejects pass unchanged, an invalid item becomes a 'validate' reject. */
export function validateEvent(validate: ItemValidator, event: ItemEvent): ItemEvent {
  if (event.kind !== 'item') return event;
  const reason = validate(event.item);
  return reason === undefined ? event : reject(event.prov, 'validate', reason, event.source);
}

export function createValidateStream(resource: ResourceName): Transform {
  const validate = createItemValidator(resource);
  return new Transform({
    objectMode: true,
    transform(event: ItemEvent, _encoding: BufferEncoding, callback: TransformCallback): void {
      callback(null, validateEvent(validate, event));
    },
  });
}
