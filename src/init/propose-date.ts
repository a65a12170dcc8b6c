/**
 * The `date:` format init proposes for a date column: only one that reads every sampled
 * non-empty value (checked with the run's own date parser). When the samples are written in
 * more than one way, no format is proposed and the values that disagree are named instead: a
 * guessed format that fits none of them would only have every record rejected.
 */
import { compileDateFormat } from '../stages/3-map/date-format.js';
import { Invalid } from '../stages/3-map/invalid.js';

export interface DateProposal {
  /** The format to write as `date:`; undefined when none is needed (ISO dates) or none fits every sample. */
  readonly format: string | undefined;
  /** The samples the best candidate format reads, and those it does not (empty when it reads all). */
  readonly fits: readonly string[];
  readonly misfits: readonly string[];
  /** The best candidate, also when it does not read every sample. */
  readonly candidate: string | undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const DATE_SHAPES: readonly { re: RegExp; format: (a: number, b: number) => string }[] = [
  { re: /^(\d{1,2})-(\d{1,2})-\d{4}$/, format: (a, b) => (a > 12 || b <= 12 ? 'D-M-YYYY' : 'M-D-YYYY') },
  { re: /^(\d{1,2})\/(\d{1,2})\/\d{4}$/, format: (a, b) => (a > 12 || b <= 12 ? 'D/M/YYYY' : 'M/D/YYYY') },
  { re: /^(\d{1,2})\.(\d{1,2})\.\d{4}$/, format: () => 'D.M.YYYY' },
];

/** The format each shape suggests for the samples written in that shape. */
function candidates(samples: readonly string[]): string[] {
  const out = ['ISO', 'YYYYMMDD'];
  for (const shape of DATE_SHAPES) {
    const parts = samples.map((s) => shape.re.exec(s)).filter((m): m is RegExpExecArray => m !== null);
    if (parts.length === 0) continue;
    const firstOver12 = parts.some((m) => Number(m[1]) > 12);
    const secondOver12 = parts.some((m) => Number(m[2]) > 12);
    const fmt = shape.format(firstOver12 ? 13 : 1, secondOver12 ? 13 : 1);
    // Two-digit fields in every sample: the stricter DD-MM-YYYY form reads the same and says so.
    const padded = parts.every((m) => (m[1] as string).length === 2 && (m[2] as string).length === 2);
    out.push(padded ? fmt.replace('D', 'DD').replace('M', 'MM') : fmt);
  }
  return out;
}

export function proposeDateFormat(samples: readonly string[]): DateProposal {
  const values = samples.filter((s) => s.trim() !== '');
  if (values.length === 0) return { format: undefined, fits: [], misfits: [], candidate: undefined };
  let best: { format: string; fits: string[]; misfits: string[] } | undefined;
  for (const format of candidates(values)) {
    const parser = compileDateFormat(format);
    const fits: string[] = [];
    const misfits: string[] = [];
    for (const v of values) (parser.parse(v) instanceof Invalid ? misfits : fits).push(v);
    if (best === undefined || fits.length > best.fits.length) best = { format, fits, misfits };
  }
  if (best === undefined || best.fits.length === 0) return { format: undefined, fits: [], misfits: values, candidate: undefined };
  // ISO dates are sent as they are (the date part): no `date:` needed.
  const all = best.misfits.length === 0;
  const format = all && !(best.format === 'ISO' && values.every((v) => ISO_DATE.test(v) && v.length === 10)) ? best.format : undefined;
  return { format, fits: best.fits, misfits: best.misfits, candidate: best.format };
}

/** The format for `date:` when one reads every sample; undefined otherwise. */
export function guessDateFormat(samples: readonly string[]): string | undefined {
  return proposeDateFormat(samples).format;
}
