/**
 * Every source column the mapping reads against the columns an input offers. Pure: the reads
 * come from walkMapping, the columns from a peeker.
 */
import { didYouMean } from '../config/did-you-mean.js';
import { formatKeyPath, type KeyPath } from '../config/key-path.js';
import { parsePath } from '../core/source-path.js';
import type { InputColumns } from '../stages/1-read/formats/input-columns.js';

/** A source read of the mapping: the target key path (under `mapping:`) and the column or path it reads. */
export interface MappedRead {
  readonly path: KeyPath;
  readonly from: string;
}

export interface MissingColumn {
  readonly read: MappedRead;
  /** One line: the key, the column, the input, the nearest names and, if it shows, the delimiter the file uses. */
  readonly message: string;
}

const NEIGHBOUR_DELIMITERS = [',', ';', '\t', '|'] as const;
const LISTED = 10;

/** A column is there when the header has its whole text, or the first step of its path (a nested path into a record). */
function isOffered(from: string, offered: ReadonlySet<string>): boolean {
  if (offered.has(from)) return true;
  const root = parsePath(from)?.[0];
  return typeof root === 'string' && offered.has(root);
}

function showDelimiter(d: string): string {
  return d === '\t' ? 'tab' : `"${d}"`;
}

/** The delimiter a one-field header seems to be split by, when it is another than the configured one. */
export function seemingDelimiter(header: string, configured: string): string | undefined {
  let best: string | undefined;
  let most = 0;
  for (const d of NEIGHBOUR_DELIMITERS) {
    if (d === configured) continue;
    const count = header.split(d).length - 1;
    if (count > most) {
      best = d;
      most = count;
    }
  }
  return best;
}

function inputName(input: InputColumns): string {
  return input.where.entry !== undefined ? `${input.where.file} (entry ${input.where.entry})` : input.where.file;
}

/**
 * The columns to show when no name is close: those no read of the mapping takes, where a renamed
 * column is, listed first (a long header would otherwise hide it past the cut); how many more.
 */
function describeColumns(reads: readonly MappedRead[], columns: readonly string[]): string {
  const read = new Set(reads.flatMap((r) => [r.from, parsePath(r.from)?.[0]]));
  const unread = columns.filter((c) => !read.has(c));
  const count = columns.length === 1 ? 'one column' : `${columns.length} columns`;
  const shown = unread.length === columns.length ? columns : unread;
  const listed =
    shown
      .slice(0, LISTED)
      .map((c) => JSON.stringify(c))
      .join(', ') + (shown.length > LISTED ? `, and ${shown.length - LISTED} more` : '');
  if (shown === columns) return `it has ${count}: ${listed}`;
  return unread.length === 0 ? `it has ${count}, each read by the mapping` : `it has ${count}; not read by the mapping: ${listed}`;
}

/** The first read (in mapping order) this input does not offer, or undefined when all are there. */
export function findMissingColumn(reads: readonly MappedRead[], input: InputColumns, configuredDelimiter = ','): MissingColumn | undefined {
  const offered = new Set(input.columns);
  const read = reads.find((r) => !isOffered(r.from, offered));
  if (read === undefined) return undefined;
  const suggestion = didYouMean(read.from, input.columns);
  const hint = suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ` (${describeColumns(reads, input.columns)})`;
  let delimiter = '';
  if (input.singleField !== undefined) {
    const seems = seemingDelimiter(input.singleField, configuredDelimiter);
    if (seems !== undefined) {
      delimiter = `; the header is one field holding ${showDelimiter(seems)}: the file seems to use ${showDelimiter(seems)} as delimiter, not ${showDelimiter(configuredDelimiter)} (set source.csv.delimiter)`;
    }
  }
  const message = `${formatKeyPath(['mapping', ...read.path])} reads column "${read.from}", which is not in the ${input.source} of ${inputName(input)}${hint}${delimiter}`;
  return { read, message };
}
