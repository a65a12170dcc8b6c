/**
 * A decoded data page of a flat column as the column cursor takes from it: one value per row
 * (null for a null), in row order. A taken value is no longer held by the page, so what a
 * column holds shrinks as its rows are handed out and the values die young with their records.
 */
import type { DecodedArray } from 'hyparquet';

export interface PageValues {
  /** Rows (nulls included) not yet taken. */
  readonly remaining: number;
  take(): unknown;
}

/** Values hyparquet decoded (any type and encoding), handed out in order. */
export class ArrayPage implements PageValues {
  private row = 0;
  constructor(private readonly values: DecodedArray) {}
  get remaining(): number {
    return this.values.length - this.row;
  }
  take(): unknown {
    const v: unknown = this.values[this.row];
    if (Array.isArray(this.values)) this.values[this.row] = undefined;
    this.row++;
    return v;
  }
}

/**
 * A page whose nulls are told by definition levels (one per row; the column's maximum for a
 * row with a value): a subclass makes the next value, called only for rows that have one.
 */
export abstract class LevelledPage implements PageValues {
  private row = 0;
  constructor(
    private readonly rows: number,
    /** Undefined when no row is null. */
    private readonly definitions: Uint8Array | undefined,
    private readonly defined: number,
  ) {}
  get remaining(): number {
    return this.rows - this.row;
  }
  /** Rows that hold a value. */
  protected get valueCount(): number {
    return this.definitions === undefined ? this.rows : countDefined(this.definitions, this.defined);
  }
  take(): unknown {
    const row = this.row++;
    if (this.definitions !== undefined && this.definitions[row] !== this.defined) return null;
    return this.nextValue();
  }
  protected abstract nextValue(): unknown;
}

/**
 * A dictionary-encoded page kept as its indexes (a typed array, outside the JS heap the
 * collector scans) and looked up as rows are taken; hyparquet would fill an array as long as
 * the page with the dictionary's values, plus one for the nulls.
 */
export class DictionaryPage extends LevelledPage {
  private index = 0;
  constructor(
    private readonly dictionary: DecodedArray,
    private readonly indexes: Uint32Array,
    rows: number,
    definitions: Uint8Array | undefined,
    defined: number,
  ) {
    super(rows, definitions, defined);
  }
  protected nextValue(): unknown {
    return this.dictionary[this.indexes[this.index++] as number];
  }
}

/** Rows of a page that hold a value (their definition level is the column's maximum). */
export function countDefined(levels: Uint8Array, defined: number): number {
  let n = 0;
  for (const l of levels) if (l === defined) n++;
  return n;
}
