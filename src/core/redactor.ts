/**
 * Secrets a run holds (the client secret, each access token it was issued), taken out of whatever
 * a server answers before that text can reach a file, a log or the terminal: a careless or hostile
 * API may quote the request's Authorization header back in an item's error. Applied once per
 * answer, to its raw text, so every message read from it is clean.
 */
const SHOWN = '[redacted]';
/** Shorter strings are not taken for secrets: replacing them would garble ordinary text. */
const MIN_LENGTH = 6;

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** A secret, as it is and as a JSON string holds it (quotes and backslashes escaped). */
  add(secret: string): void {
    if (secret.length < MIN_LENGTH) return;
    this.secrets.add(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) this.secrets.add(escaped);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.replaceAll(s, SHOWN);
    return out;
  }
}
