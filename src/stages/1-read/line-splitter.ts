/**
 * The lines of a line-based input (NDJSON), as its reader takes them: split on LF, a CR before
 * it dropped, blank lines skipped but counted. The reader parses each line; the delta filter's
 * record splitter takes each line's text as it is, so both see the same records on the same lines.
 */
export class LineSplitter {
  private pending = '';
  private lineNo = 1;

  get line(): number {
    return this.lineNo;
  }

  /** Calls `take` for each complete non-blank line of `pending + text`. */
  write(text: string, take: (line: number, text: string) => void): void {
    let start = 0;
    const buf = this.pending + text;
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', start)) {
      this.one(buf.slice(start, nl), take);
      start = nl + 1;
    }
    this.pending = buf.slice(start);
  }

  /** The last line, when the input does not end with a line break. */
  end(take: (line: number, text: string) => void): void {
    if (this.pending !== '') this.one(this.pending, take);
    this.pending = '';
  }

  private one(rawLine: string, take: (line: number, text: string) => void): void {
    const line = this.lineNo++;
    const text = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (text.trim() !== '') take(line, text);
  }
}
