import { reasonsList, reject, type ItemEvent, type PreparedEvent } from '../../core/record.js';
import type { ItemValidator } from './item-validator.js';

/** One event through the validator: rejects pass unchanged, an invalid item becomes a 'validate' reject. */
export function validateEvent(validate: ItemValidator, event: ItemEvent): ItemEvent;
export function validateEvent(validate: ItemValidator, event: PreparedEvent): PreparedEvent;
export function validateEvent(validate: ItemValidator, event: PreparedEvent): PreparedEvent {
  if (event.kind !== 'item') return event;
  const reason = validate(event.item);
  if (reason === undefined) return event;
  const refused = reject(event.prov, 'validate', reason, event.source, reasonsList(reason, validate.all(event.item)));
  return event.key !== '' ? { ...refused, key: event.key } : refused;
}
