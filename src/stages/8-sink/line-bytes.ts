/**
 * A growable byte buffer that JSON values are written into directly, for the sink's lines: no
 * string per line, no `+` ropes that a join then flattens and a write then encodes again. Plain
 * ASCII text (the common case: keys, actions, numbers) is copied byte by byte in JavaScript,
 * which is cheaper for a few characters than a call into `Buffer.write`; anything that needs
 * escaping or is not ASCII goes through `JSON.stringify` and UTF-8, so the bytes are always
 * exactly what JSON.stringify would give.
 */
export class LineBytes {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  /** Starts over; the bytes handed out by `view` before are overwritten by later writes. */
  clear(): void {
    this.pos = 0;
  }

  /** The bytes written since `clear`, without a copy. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Bytes as they are (e.g. a prefix encoded once). */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Text the caller knows to be ASCII with nothing to escape (literal field names, `true`). */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** A number as JSON writes it (`null` for NaN and the infinities). */
  number(v: number): void {
    if (Number.isSafeInteger(v) && v >= 0) this.uint(v);
    else this.ascii(JSON.stringify(v));
  }

  /** A string as a JSON string literal. */
  string(s: string): void {
    const n = s.length;
    // Quotes plus the characters; a character that does not fit the fast path sends the whole string the slow way.
    this.room(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.text(JSON.stringify(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** Any text, as UTF-8 (lone surrogates become U+FFFD, as in every other write of a string). */
  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  private uint(v: number): void {
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    this.room(digits);
    const buf = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    let x = v;
    do {
      buf[--p] = 0x30 + (x % 10);
      x = Math.floor(x / 10);
    } while (x > 0);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}
