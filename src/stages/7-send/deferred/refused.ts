import type { ItemRecord, Outcome, ResultEvent } from '../../../core/record.js';

/** The API's latest answer to a waiting record, kept so its final outcome can be written without sending it again. */
export interface DeferredAnswer {
  /** The lookup value as the API echoed it. */
  readonly key: string;
  readonly action: string;
  readonly id: number | string | null;
  readonly error?: string;
  readonly batch: number;
  /** The reject reason the sender gave (the API's text). */
  readonly reason: string;
}

/** One line of a spill file. */
export interface DeferredEntry {
  readonly record: ItemRecord;
  readonly answer: DeferredAnswer;
}

/** A waiting record's final outcome: its last answer as a result line, and a reject with the API's text. */
export function refused(entry: DeferredEntry, why?: string): Outcome[] {
  const { record, answer } = entry;
  const result: ResultEvent = {
    kind: 'result',
    prov: record.prov,
    key: answer.key,
    action: answer.action,
    id: answer.id,
    success: false,
    ...(answer.error !== undefined ? { error: answer.error } : {}),
    batch: answer.batch,
  };
  const reason = why === undefined ? answer.reason : `${answer.reason} (${why})`;
  return [result, { kind: 'reject', prov: record.prov, stage: 'api', reason, record: record.source }];
}
