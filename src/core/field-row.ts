/**
 * A CSV record as its fields by position under its input's header. A full night makes no object
 * keyed by header name per row (a megamorphic keyed store per field, and an object the collector
 * must trace): the mapping reads each field at a position resolved once per input (`Columns`), and
 * the object is made only where one is wanted (a reject's `record`, init's sample), always with
 * the same keys in the same order as the reader used to give.
 */

/** An input's header: its names in order, or none (`headers: false`: a column is named by its 0-based position). */
export class Columns {
  readonly names: readonly string[] | null;
  private readonly positions: ReadonlyMap<string, number>;

  constructor(names: readonly string[] | null) {
    this.names = names;
    this.positions = new Map((names ?? []).map((name, i) => [name, i]));
  }

  /** The position of the column named `name`, or -1: looked up once per input by each reader of it. */
  position(name: string): number {
    if (this.names !== null) return this.positions.get(name) ?? -1;
    // Without a header a column is its position's decimal text, as the object's keys were ("0", "1", …).
    const at = Number(name);
    return Number.isSafeInteger(at) && at >= 0 && String(at) === name ? at : -1;
  }

  /** The name of the field at `position`. */
  nameAt(position: number): string {
    return this.names !== null ? (this.names[position] as string) : String(position);
  }
}

export class FieldRow {
  constructor(
    readonly columns: Columns,
    readonly fields: readonly string[],
  ) {}

  /** The field of column `name`, or undefined when the input has no such column (or this row is short of it). */
  get(name: string): string | undefined {
    const at = this.columns.position(name);
    return at < 0 ? undefined : this.fields[at];
  }

  /** The record keyed by column name (what rejects.ndjson shows: JSON.stringify calls this). */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < this.fields.length; i++) out[this.columns.nameAt(i)] = this.fields[i] as string;
    return out;
  }
}

/**
 * A reader of column `name` from rows of any input: the position is looked up when a row of a new
 * input (a new `Columns`) comes, and reused for every row after it.
 */
export function columnReader(name: string): (row: FieldRow) => string | undefined {
  let columns: Columns | undefined;
  let at = -1;
  return (row) => {
    if (row.columns !== columns) {
      columns = row.columns;
      at = columns.position(name);
    }
    return at < 0 ? undefined : row.fields[at];
  };
}
