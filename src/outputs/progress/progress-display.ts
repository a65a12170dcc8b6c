import type { ProgressSnapshot } from './run-probe.js';
import { formatProgress } from './format-progress.js';

/** What the display needs of a terminal stream (process.stderr is one). */
export interface Terminal {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * A status line redrawn in place a few times a second. Only on a terminal: a log file or a
 * scheduler's pipe gets nothing of it. Log lines go through `print`, which takes the status line
 * away, writes, and lets the next tick draw it again below.
 */
export class ProgressDisplay {
  private timer: NodeJS.Timeout | undefined;
  private source: (() => ProgressSnapshot) | undefined;
  private shown = false;

  constructor(
    private readonly term: Terminal,
    private readonly enabled: boolean,
    private readonly intervalMs = 200,
  ) {}

  static for(term: Terminal, quiet: boolean): ProgressDisplay {
    return new ProgressDisplay(term, term.isTTY === true && !quiet);
  }

  start(source: () => ProgressSnapshot): void {
    if (!this.enabled) return;
    this.stop();
    this.source = source;
    this.timer = setInterval(() => this.draw(), this.intervalMs);
    this.timer.unref();
  }

  /** Ends the redraws and removes the line, so what comes next starts on a clean line. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.source = undefined;
    this.clear();
  }

  print(text: string): void {
    this.clear();
    this.term.write(text);
  }

  private clear(): void {
    if (this.shown) this.term.write(CLEAR_LINE);
    this.shown = false;
  }

  private draw(): void {
    if (this.source === undefined) return;
    // A pseudo-terminal without a size reports 0 columns: assume a usual width then.
    const cols = this.term.columns !== undefined && this.term.columns > 0 ? this.term.columns : 120;
    const width = Math.max(20, cols - 1);
    this.term.write(CLEAR_LINE + formatProgress(this.source(), width));
    this.shown = true;
  }
}
