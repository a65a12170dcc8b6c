import type { DirectivesSpec } from '../../config/pipeline-spec.js';
import type { ResourceInfo } from '../../core/resource.js';
import type { ItemBytes } from '../../core/item-bytes.js';

/** The part of a bulk request body around the items: the list name and the directives. */
export interface RequestEnvelope {
  readonly headBytes: Buffer;
  readonly tailBytes: Buffer;
  /** Bytes of head + tail (UTF-8). */
  readonly bytes: number;
}

/** A directive as the endpoint page's request body shows it. */
export interface Directive {
  readonly operation: string;
  readonly fields: readonly string[];
}

/** The pipeline file's `directives:` in the request's array form (FACTS.md: the endpoint page's form). */
export function directivesToRequest(d: DirectivesSpec | undefined): Directive[] {
  if (d === undefined) return [];
  const out: Directive[] = [];
  if (d.skipIfNotEmpty !== undefined && d.skipIfNotEmpty.length > 0) out.push({ operation: 'skipIfNotEmpty', fields: d.skipIfNotEmpty });
  if (d.skipMoveOnUpdate === true) out.push({ operation: 'skipMoveOnUpdate', fields: [] });
  return out;
}

export function requestEnvelope(resource: ResourceInfo, directives: readonly Directive[] = []): RequestEnvelope {
  const head = `{"${resource.listKey}":[`;
  const tail = directives.length > 0 ? `],"directives":${JSON.stringify(directives)}}` : ']}';
  const headBytes = Buffer.from(head);
  const tailBytes = Buffer.from(tail);
  return { headBytes, tailBytes, bytes: headBytes.length + tailBytes.length };
}

const COMMA = Buffer.from(',');

/**
 * The body around items serialised once by the batcher: all of them (one copy of one slice), or
 * the ones at `indices` (a retried half, the rest after a refused item); never re-serialised.
 */
export function requestBody(env: RequestEnvelope, items: ItemBytes, indices?: readonly number[]): Buffer {
  if (indices === undefined || indices.length === items.count) {
    return Buffer.concat([env.headBytes, items.buf.subarray(0, items.length), env.tailBytes]);
  }
  const parts: Buffer[] = [env.headBytes];
  indices.forEach((i, n) => {
    if (n > 0) parts.push(COMMA);
    parts.push(items.item(i));
  });
  parts.push(env.tailBytes);
  return Buffer.concat(parts);
}
