/**
 * A value that failed a conversion, with the words for the reject reason. Converters return it
 * instead of throwing because a bad value is data, not a broken pipeline.
 */
export class Invalid {
  constructor(readonly why: string) {}
}

const MAX_SHOWN = 80;

/** A value as a reject reason quotes it: strings in quotes, long values cut. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}
