import type { DirectivesSpec } from '../config/pipeline-spec.js';
import type { ResourceInfo } from './resource.js';

/** The part of a bulk request body around the items: the list name and the directives. */
export interface RequestEnvelope {
  readonly head: string;
  readonly tail: string;
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
  return { head, tail, bytes: Buffer.byteLength(head) + Buffer.byteLength(tail) };
}

/** Joins items serialised once by the batcher; never re-stringifies them. */
export function requestBody(env: RequestEnvelope, items: readonly string[]): string {
  return env.head + items.join(',') + env.tail;
}
