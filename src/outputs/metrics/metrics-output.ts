import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ERR, ConfigError } from '../../core/errors.js';
import { readProxies } from '../../core/proxy.js';
import { writeMetricsFile } from './metrics-file.js';
import { parsePushgateway, pushRun, PUSH_JOB, type Pushgateway } from './pushgateway.js';
import type { RunMetrics } from './run-metrics.js';

/** Where a run's metrics go at its end. */
export interface MetricsOptions {
  /** A Prometheus text file, replaced atomically (for node_exporter's textfile collector). */
  readonly file?: string;
  /** A Pushgateway base URL: each run pushes its group (job `propel_etl`, labels `pipeline` and `target`). */
  readonly pushgateway?: string;
  /** Limit for the whole push (connect, answer, body); default 10 s. */
  readonly pushTimeoutMs?: number;
}

/** Something that went wrong with the metrics alone: reported, never a changed exit code. */
export interface MetricsWarning {
  readonly code: typeof ERR.METRICS_PUSH.code | typeof ERR.METRICS_FILE.code;
  readonly message: string;
}

const DEFAULT_PUSH_TIMEOUT_MS = 10_000;

/**
 * The metrics output of one run, or of a job's steps together: each recorded run is pushed to
 * its own group, and the file is rewritten with every run recorded so far (a job's file holds
 * all its steps, updated after each one). Failures become warnings: monitoring must not turn a
 * good import into a failed one.
 */
export class MetricsOutput {
  private readonly runs: RunMetrics[] = [];
  private readonly kept: RunMetrics[] = [];

  private constructor(
    private readonly file: string | undefined,
    private readonly gateway: Pushgateway | undefined,
    private readonly timeoutMs: number,
    private readonly warn: (w: MetricsWarning) => void,
  ) {}

  /**
   * Checks the options before the run (exit 2 when they cannot work): the file's folder exists,
   * the URL is usable. `keys` name the options in those messages (the CLI's flags).
   */
  static async open(
    opts: MetricsOptions,
    at: { cwd: string; env: NodeJS.ProcessEnv; warn: (w: MetricsWarning) => void; keys?: { file: string; pushgateway: string } },
  ): Promise<MetricsOutput> {
    const keys = at.keys ?? { file: 'metrics.file', pushgateway: 'metrics.pushgateway' };
    const file = opts.file !== undefined ? resolve(at.cwd, opts.file) : undefined;
    if (file !== undefined) {
      const folder = await stat(dirname(file)).catch(() => undefined);
      if (folder?.isDirectory() !== true)
        throw new ConfigError(`${keys.file}: the folder ${dirname(file)} does not exist`, { key: keys.file });
    }
    const gateway = opts.pushgateway !== undefined ? parsePushgateway(opts.pushgateway, keys.pushgateway, readProxies(at.env)) : undefined;
    return new MetricsOutput(file, gateway, opts.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS, at.warn);
  }

  /**
   * A run reported by an earlier attempt (a step a resumed job skips): kept in the file with the
   * others, not pushed again (its group on the gateway already says the same).
   */
  async keep(run: RunMetrics): Promise<void> {
    this.kept.push(run);
    await this.writeFile();
  }

  /** How many runs were recorded so far (kept ones not counted). */
  get recorded(): number {
    return this.runs.length;
  }

  async record(run: RunMetrics): Promise<void> {
    this.runs.push(run);
    if (this.gateway !== undefined) {
      try {
        await pushRun(this.gateway, run, this.timeoutMs);
      } catch (e) {
        this.warn({
          code: ERR.METRICS_PUSH.code,
          message: `metrics not pushed to ${this.gateway.url.origin}${this.gateway.url.pathname} (job ${PUSH_JOB}, pipeline ${run.pipeline}): ${reason(e)}`,
        });
      }
    }
    await this.writeFile();
  }

  private async writeFile(): Promise<void> {
    if (this.file === undefined) return;
    try {
      await writeMetricsFile(this.file, [...this.kept, ...this.runs]);
    } catch (e) {
      this.warn({ code: ERR.METRICS_FILE.code, message: `metrics file not written: ${this.file}: ${reason(e)}` });
    }
  }
}

function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // undici wraps the socket's error (ECONNREFUSED, …): the inner one says what happened.
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e.message}${cause}`.replace(/\s*\n\s*/g, ' ');
}
