/**
 * Injected misbehaviour, so the sender's retry, timeout, backpressure and re-auth paths can be
 * tested against a real server. `setFaults` replaces the whole set: what is not given is off.
 */
import type { ValidateFunction } from 'ajv';
import { schemaAjv } from '../stages/4-validate/schema-registry.js';
import { describeSchemaError, primaryError } from '../stages/4-validate/schema-reason.js';

export interface FailFault {
  /** How many of the next bulk requests get this answer. */
  readonly count: number;
  readonly status: number;
  /** Sent as the Retry-After header: seconds, or an HTTP date. */
  readonly retryAfter?: number | string;
}

export interface ThrottleFault {
  readonly every: number;
  /** Sent as the Retry-After header: seconds, or an HTTP date. */
  readonly retryAfter?: number | string;
}

export interface Faults {
  /** Delay before every bulk request is handled (while it counts as in flight). */
  readonly latencyMs?: number;
  readonly failNext?: FailFault;
  /** Destroy the socket of the next n bulk requests without answering. */
  readonly dropNext?: number;
  /** Never answer the next n bulk requests (until the client gives up or the emulator closes). */
  readonly hangNext?: number;
  /** Bulk requests beyond this many in flight are answered 429 with Retry-After: 1. */
  readonly capacity?: number;
  /** Every n-th bulk request (counted from when this is set) is answered 429 with this Retry-After. */
  readonly throttleEvery?: ThrottleFault;
  /** Item keys (a user's sourceId or the lookup key string, a usergroup's id) answered success:false. */
  readonly refuseItems?: readonly string[];
  /**
   * Item keys the server's schema refuses although the client's copy of the schema accepts them
   * (a schema that changed on the server): the whole request is answered 400, code 10007, with a
   * `#/users/N/<lookup field>: …` message per such item, as for any schema violation.
   */
  readonly invalidItems?: readonly string[];
  /**
   * Item keys whose presence gets the whole request answered 400, code 10007, with a message that
   * points at no item (a server rule reported without a `#/users/N` pointer): the client can only
   * find the item by splitting the batch.
   */
  readonly opaqueItems?: readonly string[];
  /**
   * Answer every bulk request's result items in reverse order (Propel documents no order), so a
   * client that pairs results with items by position must notice and fall back to their keys.
   */
  readonly reverseResults?: boolean;
  /**
   * A careless server: every refusal it answers (an item's `error`, a 400's messages) quotes the
   * request's Authorization header, bearer token and all. A client must not write it anywhere.
   */
  readonly echoToken?: boolean;
  /** Lifetime of tokens issued from now on; otherwise the emulator's option. */
  readonly tokenLifetimeSec?: number;
  /** One-shot: invalidate every token issued so far. Not kept in the fault state. */
  readonly expireTokens?: boolean;
}

const count = { type: 'integer', minimum: 0 } as const;
const faultsSchema = {
  type: 'object',
  properties: {
    latencyMs: { type: 'number', minimum: 0 },
    failNext: {
      type: 'object',
      properties: {
        count,
        status: { type: 'integer', minimum: 100, maximum: 599 },
        retryAfter: { type: ['number', 'string'] },
      },
      required: ['count', 'status'],
      additionalProperties: false,
    },
    throttleEvery: {
      type: 'object',
      properties: { every: { type: 'integer', minimum: 1 }, retryAfter: { type: ['number', 'string'] } },
      required: ['every'],
      additionalProperties: false,
    },
    dropNext: count,
    hangNext: count,
    capacity: { type: 'integer', minimum: 1 },
    refuseItems: { type: 'array', items: { type: 'string' } },
    invalidItems: { type: 'array', items: { type: 'string' } },
    opaqueItems: { type: 'array', items: { type: 'string' } },
    reverseResults: { type: 'boolean' },
    echoToken: { type: 'boolean' },
    tokenLifetimeSec: { type: 'number', minimum: 0 },
    expireTokens: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

let validator: ValidateFunction | undefined;

/** Checks a fault set that arrived as JSON; returns a plain-words reason when it is malformed. */
export function faultsProblem(value: unknown): string | undefined {
  validator ??= schemaAjv().compile(faultsSchema);
  if (validator(value)) return undefined;
  const error = primaryError(validator.errors ?? []);
  return error === undefined ? 'malformed fault set' : describeSchemaError(error);
}

/** What to do with one bulk request, decided before it is handled. */
export type FaultAction =
  | { kind: 'drop' }
  | { kind: 'hang' }
  | { kind: 'fail'; status: number; retryAfter?: number | string }
  | { kind: 'none' };

/** The live fault state: counters are consumed as requests arrive. */
export class FaultState {
  #faults: Faults = {};
  #failLeft = 0;
  #dropLeft = 0;
  #hangLeft = 0;
  #refused = new Set<string>();
  #invalid = new Set<string>();
  #opaque = new Set<string>();
  #sinceThrottle = 0;

  constructor(initial: Faults = {}) {
    this.set(initial);
  }

  set(faults: Faults): void {
    const { expireTokens: _oneShot, ...kept } = faults;
    this.#faults = kept;
    this.#failLeft = faults.failNext?.count ?? 0;
    this.#dropLeft = faults.dropNext ?? 0;
    this.#hangLeft = faults.hangNext ?? 0;
    this.#refused = new Set(faults.refuseItems ?? []);
    this.#invalid = new Set(faults.invalidItems ?? []);
    this.#opaque = new Set(faults.opaqueItems ?? []);
    this.#sinceThrottle = 0;
  }

  get latencyMs(): number {
    return this.#faults.latencyMs ?? 0;
  }

  get capacity(): number | undefined {
    return this.#faults.capacity;
  }

  get reverseResults(): boolean {
    return this.#faults.reverseResults === true;
  }

  get echoToken(): boolean {
    return this.#faults.echoToken === true;
  }

  get tokenLifetimeSec(): number | undefined {
    return this.#faults.tokenLifetimeSec;
  }

  refuses(key: string): boolean {
    return this.#refused.has(key);
  }

  invalid(key: string): boolean {
    return this.#invalid.has(key);
  }

  opaque(key: string): boolean {
    return this.#opaque.has(key);
  }

  /** Consumes one pending drop, hang or failure, in that order of precedence, then the throttle's count. */
  next(): FaultAction {
    if (this.#dropLeft > 0) {
      this.#dropLeft--;
      return { kind: 'drop' };
    }
    if (this.#hangLeft > 0) {
      this.#hangLeft--;
      return { kind: 'hang' };
    }
    const fail = this.#faults.failNext;
    if (fail !== undefined && this.#failLeft > 0) {
      this.#failLeft--;
      return fail.retryAfter === undefined
        ? { kind: 'fail', status: fail.status }
        : { kind: 'fail', status: fail.status, retryAfter: fail.retryAfter };
    }
    const throttle = this.#faults.throttleEvery;
    if (throttle !== undefined && ++this.#sinceThrottle >= throttle.every) {
      this.#sinceThrottle = 0;
      return throttle.retryAfter === undefined
        ? { kind: 'fail', status: 429 }
        : { kind: 'fail', status: 429, retryAfter: throttle.retryAfter };
    }
    return { kind: 'none' };
  }
}
