/**
 * Stopping a run early without losing what the API already applied. Destroying the pipeline on
 * a fatal error would throw away outcomes still on their way to the sink (answered by the API,
 * not yet in results.ndjson or the checkpoint), and `--resume` would send those items again.
 * So a fatal error (the sender giving up, the reject budget passed) or a signal only stops the
 * reading; every stage then drains normally, the sink writes and journals every outcome, and the
 * error is raised once the pipeline has finished.
 */
export class RunHalt {
  readonly #stop = new AbortController();
  #error: Error | undefined;

  /** `external` (SIGINT/SIGTERM) stops the reading too, without being an error. */
  constructor(external?: AbortSignal) {
    if (external?.aborted === true) this.#stop.abort();
    else external?.addEventListener('abort', () => this.#stop.abort(), { once: true });
  }

  /** For the reading gate: aborted once the run must stop reading. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** The first fatal error, if any. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Records a fatal error (the first one wins) and stops the reading. */
  fail(error: Error): void {
    this.#error ??= error;
    this.#stop.abort();
  }

  /**
   * Wraps a check that throws to end the run (the sink's reject budget): a throw halts the run
   * instead of breaking the pipeline. After the first failure the check is not run again.
   */
  guard(check: (() => void) | undefined): (() => void) | undefined {
    if (check === undefined) return undefined;
    return () => {
      if (this.#error !== undefined) return;
      try {
        check();
      } catch (e) {
        this.fail(e instanceof Error ? e : new Error(String(e)));
      }
    };
  }

  /** After the pipeline has drained: throws the fatal error, if there was one. */
  throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#error;
  }
}
