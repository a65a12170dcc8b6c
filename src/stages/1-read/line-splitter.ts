/**
 * The lines of a line-based input (NDJSON), as its reader takes them: split on LF, a CR before
 * it dropped, blank lines skipped but counted. The reader parses each line; the delta filter's
 * record splitter takes each line's text as it is, so both see the same records on the same lines.
 *
 * Linear in the input: each piece of text is searched once, and a line spread over many pieces
 * is joined once, when it ends. A line longer than `maxChars` stops the input (`tooLong` throws)
 * before it is held: without a cap one line of 50 MB with no break would be kept whole.
 */
export class LineSplitter {
  private parts: string[] = [];
  private partsChars = 0;
  private lineNo = 1;

  constructor(
    private readonly maxChars: number = Number.POSITIVE_INFINITY,
    private readonly tooLong: (line: number, maxChars: number) => never = (line, max) => {
      throw new Error(`line ${line} is longer than ${max} characters`);
    },
  ) {}

  get line(): number {
    return this.lineNo;
  }

  /** Calls `take` for each complete non-blank line of what is held plus `text`. */
  write(text: string, take: (line: number, text: string) => void): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (this.partsChars === 0) {
        if (nl - start > this.maxChars) this.tooLong(this.lineNo, this.maxChars);
        this.one(text.slice(start, nl), take);
      } else {
        this.hold(text.slice(start, nl));
        const line = this.parts.join('');
        this.parts = [];
        this.partsChars = 0;
        this.one(line, take);
      }
      start = nl + 1;
    }
    if (start < text.length) this.hold(start === 0 ? text : text.slice(start));
  }

  /** The last line, when the input does not end with a line break. */
  end(take: (line: number, text: string) => void): void {
    if (this.partsChars > 0) this.one(this.parts.join(''), take);
    this.parts = [];
    this.partsChars = 0;
  }

  private hold(piece: string): void {
    this.partsChars += piece.length;
    if (this.partsChars > this.maxChars) this.tooLong(this.lineNo, this.maxChars);
    this.parts.push(piece);
  }

  private one(rawLine: string, take: (line: number, text: string) => void): void {
    const line = this.lineNo++;
    const text = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (text.trim() !== '') take(line, text);
  }
}
