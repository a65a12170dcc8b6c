/**
 * A delta night's fast path: a record whose own text (a CSV record, an NDJSON line), hashed under
 * the run's fingerprint, equals the text of a version Propel acknowledged is the same item, so it
 * is unchanged and nothing of it need be built. The fingerprint covers everything else that decides
 * the item (the mapping after variables, the source options, the resource, the schema, this
 * build), and a reader adds what its input adds (a CSV header): a byte match then implies the
 * same item. The formats whose readers hash their records' text take a KnownBytes (csv, ndjson).
 */
import { hash } from 'node:crypto';

export interface KnownBytes {
  /** The run's fingerprint (stages/5-delta/fingerprint.ts); a reader prefixes what its input adds. */
  readonly fingerprint: string;
  /** The state's slot for this text hash, or -1. A found slot is noted as seen: its key is in tonight's input. */
  take(textHash: string): number;
}

/**
 * 22 base64 characters of SHA-256 (132 bits): a collision would hold a changed record back, so a
 * hash made to resist them, at 0.3 µs for a 110-character record (the one-shot crypto.hash).
 */
export function textHash(prefix: string, text: string): string {
  return hash('sha256', prefix + text, 'base64').slice(0, 22);
}
