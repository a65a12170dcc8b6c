/**
 * The delta feature as one run sees it: which state (pipeline x target), its lock, the filter
 * stage, the sink's hook, orphans at the end. `runPipeline` calls it at a few points only.
 */
import { dirname, join } from 'node:path';
import type { Transform } from 'node:stream';
import { mkdir } from 'node:fs/promises';
import { pathExists } from '../../core/path-exists.js';
import type { PipelineSpec, DeltaSpec } from '../../config/pipeline-spec.js';
import type { TargetSpec } from '../../config/index.js';
import { RESOURCES } from '../../core/resource.js';
import { ConfigError, DeltaThresholdError } from '../../core/errors.js';
import type { ItemRecord, PreparedEvent, SourceEvent } from '../../core/record.js';
import type { KnownBytes } from '../../core/known-bytes.js';
import { INDEX_CHARS, RecordIndex } from '../../state/record-index.js';
import { PassedKeys } from './passed-keys.js';
import type { DeltaReport } from '../../outcomes/summary.js';
import { itemHash } from './item-hash.js';
import { sentKey } from '../7-send/api-answer.js';
import { DeltaState } from '../../state/delta-state.js';
import { acquireLock, type StateLock } from '../../state/state-lock.js';
import { stateDir, statePath } from '../../state/state-location.js';
import { resolveIdentity, type TargetIdentity } from '../../state/target-identity.js';
import { createDeltaStream } from './delta-stream.js';
import { DeltaRecorder } from './delta-recorder.js';
import { missingInputs } from './missing-inputs.js';
import { ORPHANS_FILE, writeOrphans } from './orphans-file.js';

export interface DeltaRunOptions {
  readonly spec: PipelineSpec;
  readonly mode: 'run' | 'dry-run';
  /** The connected target's identity (a run); a dry run works it out from `target`. */
  readonly identity?: TargetIdentity;
  readonly target:
    | string
    | TargetSpec
    | { readonly name: string; readonly kind: 'emulator'; readonly options?: { readonly stateFile?: string } };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** `--accept-delta`: this one run may go past delta.maxChanged and delta.maxOrphans. */
  readonly acceptDelta?: boolean;
  /** `--state DIR` (default `state/` in cwd). */
  readonly stateDir?: string;
  /** `--full`: send everything, refresh the state from the answers. */
  readonly full?: boolean;
  readonly now?: () => number;
  /** The run's fingerprint (fingerprint.ts): records are then known by their text where their format gives it. */
  readonly fingerprint?: string;
}

/** Keys kept of each kind passed on, for messages. */
const SAMPLE_KEYS = 10;

const n = (v: number): string => v.toLocaleString('en-US');

export class DeltaRun {
  readonly warnings: string[] = [];
  /** CPU time spent inside the filter (lookups, hashing, the state's writes for seen keys). */
  readonly filterTime = { ms: 0 };
  private recorder: DeltaRecorder | undefined;
  private orphansDue = false;

  private constructor(
    private readonly state: DeltaState,
    private readonly lock: StateLock | undefined,
    private readonly spec: DeltaSpec,
    private readonly opts: DeltaRunOptions,
    warnings: readonly string[] = [],
  ) {
    this.warnings.push(...warnings);
    if (lock?.tookOver !== undefined) {
      const t = lock.tookOver;
      this.warnings.push(
        `took over the delta state's lock left by a run that is gone (pid ${t.pid}, started ${t.startedAt}); what it had in flight is sent again`,
      );
    }
  }

  /**
   * Finds, locks and opens the state. Everything that can be wrong with it (another run holds it,
   * damaged, newer format, another target's) is a ConfigError here, before anything is sent.
   * Returns undefined for a pipeline without `delta:`.
   */
  static async open(o: DeltaRunOptions, startedAt: Date): Promise<DeltaRun | undefined> {
    const delta = o.spec.delta;
    if (delta === undefined) return undefined;
    let identity: TargetIdentity;
    const warnings: string[] = [];
    try {
      identity = o.identity ?? (await identityFor(o));
    } catch (e) {
      // A dry run needs no credentials; without them it cannot tell which state is the target's.
      if (!(e instanceof ConfigError) || o.mode !== 'dry-run') throw e;
      warnings.push(`dry run: nothing compared with a delta state (every item is batched), the target is not known: ${e.message}`);
      identity = { name: 'unknown', baseUrl: 'unknown:', clientId: '', persistent: false };
    }
    const owner = { identity, pipeline: o.spec.name, resource: o.spec.resource };
    if (!identity.persistent) return new DeltaRun(DeltaState.open(':memory:', owner), undefined, delta, o, warnings);
    const path = statePath(stateDir(o.cwd, o.stateDir), o.spec.name, identity);
    if (o.mode === 'dry-run') {
      // Compared, never changed; no state yet means everything would be sent.
      const exists = await pathExists(path);
      return new DeltaRun(DeltaState.open(exists ? path : ':memory:', { ...owner, readonly: exists }), undefined, delta, o);
    }
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const lock = await acquireLock(`${path}.lock`, { startedAt });
    try {
      return new DeltaRun(DeltaState.open(path, owner), lock, delta, o);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  /**
   * Everything `open` would refuse, found now and let go: a job checks each step's state (another
   * run holding it, damaged, newer, another target's) before its first step sends anything.
   */
  static async check(o: DeltaRunOptions): Promise<void> {
    const run = await DeltaRun.open(o, new Date());
    if (run === undefined) return;
    try {
      run.state.close();
    } finally {
      await run.lock?.release();
    }
  }

  /** Said in the run's summary, terminal and report: fewer inputs than the last completed run read. */
  readonly inputWarnings: string[] = [];
  private inputs: readonly string[] = [];
  /** Propel acknowledged keys before this run (not a first night). */
  private anyAcknowledged = false;
  /** Acknowledged keys when the run began, counted when a threshold's percentage needs them (a pass over the state). */
  private stateKeysCount: number | undefined;
  /** No key of any kind when the run began: a first night, with nothing to look up. */
  private stateEmpty = false;
  /** The state's text hashes, loaded once when the run began (not for --full, which sends everything). */
  private index: RecordIndex | undefined;
  private orphansFound = false;
  /** Records the index knew by their text. */
  private byBytes = 0;
  /** The keys passed on in this run. */
  private readonly passed = new PassedKeys();
  /** A few keys passed on, for the threshold's message (and plan). */
  private readonly samples = { fresh: [] as string[], changed: [] as string[] };
  private orphanKeys: string[] = [];
  private pastThresholds: string | undefined;

  /**
   * The run's id is known (a resumed run continues its own): from here on the state can be used.
   * `inputs`: the names of the inputs this run reads, compared with the last completed run's.
   */
  begin(runId: string, startedAt: Date, inputs: readonly string[] = []): void {
    this.inputs = inputs;
    const missing = missingInputs(this.state.lastInputs(), inputs);
    if (missing !== undefined) this.inputWarnings.push(missing);
    const counts = this.state.counts();
    this.anyAcknowledged = counts.acknowledged;
    this.stateEmpty = !counts.any;
    this.state.beginRun(runId, startedAt, this.opts.full === true);
    if (counts.acknowledged && this.opts.full !== true && this.opts.fingerprint !== undefined) this.index = this.loadIndex();
    if (this.opts.mode === 'run') this.recorder = new DeltaRecorder(this.state, RESOURCES[this.opts.spec.resource].lookupKey, this.now);
  }

  /**
   * The night is compared whole before the first request: the filter's changes wait in a spill
   * (build-stages.ts), the thresholds judge the counts, then the changes are sent. So for a real
   * run on a state that holds keys; a first night (nothing to compare) and `--full` send as they read.
   */
  get comparesFirst(): boolean {
    return this.opts.mode === 'run' && this.opts.full !== true && this.anyAcknowledged;
  }

  /**
   * For the reader (openSource's `known`): each record's text is hashed under the fingerprint, so
   * the state can keep it, and looked up in the index, so a known one need not be built. Undefined
   * without a fingerprint. With --full nothing is looked up, but the hashes are still made: the
   * state is refreshed with them.
   */
  get knownBytes(): KnownBytes | undefined {
    const fingerprint = this.opts.fingerprint;
    if (fingerprint === undefined) return undefined;
    const index = this.index;
    if (index === undefined) return { fingerprint, take: () => -1 };
    return {
      fingerprint,
      take: (hash) => {
        const slot = index.find(hash);
        if (slot >= 0) {
          index.markSeen(slot);
          this.byBytes++;
        }
        return slot;
      },
    };
  }

  /** The state's text hashes, in typed arrays (RecordIndex): undefined when none is known by its text. */
  private loadIndex(): RecordIndex | undefined {
    let index: RecordIndex;
    if (this.spec.refreshAfterMs !== undefined) {
      index = new RecordIndex(this.stateKeys, true);
      for (const [prefix, ackedAt] of this.state.textsWithAckedAt()) index.add(prefix, ackedAt);
    } else {
      const pages = this.state.textPages();
      index = new RecordIndex(pages.reduce((sum, p) => sum + p.length / INDEX_CHARS, 0));
      for (const page of pages) for (let at = 0; at + INDEX_CHARS <= page.length; at += INDEX_CHARS) index.add(page, null, at);
    }
    return index.size > 0 ? index : undefined;
  }

  /** Acknowledged keys when the run began (counted once, when asked: acknowledgements of this run come later). */
  private get stateKeys(): number {
    this.stateKeysCount ??= this.state.countAcknowledged();
    return this.stateKeysCount;
  }

  /** The filter stage, between the admit gate and the batcher (or the spill of changes); `prepare` maps and validates a known record the night sends after all. */
  stage(
    counts: { heldBack(records: number): void; changesFound(fresh: number, changed: number): void },
    prepare?: (ev: SourceEvent) => PreparedEvent,
  ): Transform {
    const recorder = this.recorder;
    // Compared first, an item is told to the recorder as it is sent (sending()), not as it waits:
    // the recorder then holds only what is in flight, however much changed.
    const onPass =
      recorder !== undefined && !this.comparesFirst ? { onPass: (rec: ItemRecord, hash: string) => recorder.expect(rec, hash) } : {};
    return createDeltaStream(
      {
        ledger: this.state,
        passed: this.passed,
        ...(this.index !== undefined ? { index: this.index } : {}),
        ...(prepare !== undefined ? { prepare } : {}),
        ...(this.stateEmpty ? { empty: true } : {}),
        counts,
        now: this.now,
        onChange: (ev, fresh) => {
          const list = fresh ? this.samples.fresh : this.samples.changed;
          // Named as the export names it (a sourceId, a usergroup id), as orphans.ndjson does.
          if (list.length < SAMPLE_KEYS) list.push(sentKey(ev.item, RESOURCES[this.opts.spec.resource].lookupKey) ?? ev.key);
        },
        ...(this.opts.full === true ? { full: true } : {}),
        ...(this.spec.refreshAfterMs !== undefined ? { refreshAfterMs: this.spec.refreshAfterMs } : {}),
        ...onPass,
      },
      this.filterTime,
    );
  }

  /** A change read back from the spill, about to be batched: the recorder learns its hash now. */
  sending(rec: ItemRecord): ItemRecord {
    this.recorder?.expect(rec, itemHash(rec.json ?? JSON.stringify(rec.item)));
    return rec;
  }

  /**
   * After the whole night was compared, before anything is sent: past delta.maxChanged (new plus
   * changed) or delta.maxOrphans, a DeltaThresholdError (exit 3, nothing sent) with the counts
   * and a few keys, unless `--accept-delta`.
   */
  checkThresholds(counts: { readonly new: number; readonly changed: number }): void {
    if (this.opts.acceptDelta === true) return;
    const past = this.thresholdVerdict(counts);
    if (past !== undefined) throw new DeltaThresholdError(past);
  }

  /** What a night past delta.maxChanged or delta.maxOrphans would send, in words; undefined within them. */
  thresholdVerdict(counts: { readonly new: number; readonly changed: number }): string | undefined {
    const { maxChanged, maxOrphans } = this.spec;
    if (maxChanged === undefined && maxOrphans === undefined) return undefined;
    const allowed = (t: { count: number } | { fraction: number }): number =>
      'count' in t ? t.count : Math.floor(t.fraction * this.stateKeys);
    const shown = (t: { count: number } | { fraction: number }): string =>
      'count' in t ? n(t.count) : `${n(allowed(t))} (${+(t.fraction * 100).toFixed(4)}% of ${n(this.stateKeys)} keys)`;
    const changed = counts.new + counts.changed;
    this.findOrphans();
    const orphans = this.state.countOrphans();
    const past: string[] = [];
    if (maxChanged !== undefined && changed > allowed(maxChanged)) {
      const keys = [...this.samples.fresh.slice(0, 3), ...this.samples.changed.slice(0, 3)];
      past.push(
        `send ${n(changed)} new or changed items (${n(counts.new)} new, ${n(counts.changed)} changed; delta.maxChanged ${shown(maxChanged)}; e.g. ${keys.join(', ')})`,
      );
    }
    if (maxOrphans !== undefined && orphans > allowed(maxOrphans)) {
      past.push(`leave ${n(orphans)} orphans (delta.maxOrphans ${shown(maxOrphans)}; e.g. ${this.state.someOrphans(5).join(', ')})`);
    }
    return past.length > 0 ? `this night would ${past.join(' and ')}` : undefined;
  }

  /** The sink's hook (a run only): answers whose lines are on disk go into the state. */
  get sinkHook(): DeltaRecorder | undefined {
    return this.recorder;
  }

  /**
   * After a completed run over the whole input: how many keys the state knows that the input no
   * longer holds (for the counts); `writeOrphans`, one of the run's outputs, lists them. Not after
   * `--limit` (a part of the input says nothing about the rest) nor in a dry run.
   */
  countOrphans(counts: { orphansFound(keys: number): void; readonly new: number; readonly changed: number }, limited: boolean): void {
    if (limited) return;
    if (this.opts.mode === 'run') {
      // A whole export, read to its end: the next night compares its inputs with these.
      this.state.setLastInputs(this.inputs);
    } else {
      // A dry run (and plan) judges the night as a run would, and says so instead of stopping.
      this.pastThresholds = this.thresholdVerdict(counts);
    }
    if (this.spec.orphans !== 'report') return;
    // A dry run counts them too (its state is read only: what its input held is in a temporary table), and writes no file.
    this.orphansDue = this.opts.mode === 'run';
    this.findOrphans();
    counts.orphansFound(this.state.countOrphans());
    this.orphanKeys = this.state.someOrphans(SAMPLE_KEYS);
  }

  /** Once the whole input was read (its orphans are then settled): found once, with the index's texts the input did not hold. */
  private findOrphans(): void {
    if (this.orphansFound) return;
    this.state.findOrphans(this.index?.unseen());
    this.orphansFound = true;
  }

  /** For summary.json: up to ten keys of each kind, and a night past its thresholds (a dry run). */
  report(): DeltaReport {
    return {
      keys: { new: [...this.samples.fresh], changed: [...this.samples.changed], orphans: [...this.orphanKeys] },
      byBytes: this.byBytes,
      ...(this.pastThresholds !== undefined ? { pastThresholds: this.pastThresholds } : {}),
    };
  }

  /** orphans.ndjson in the run folder, when `countOrphans` found the run complete. */
  async writeOrphans(outDir: string): Promise<void> {
    if (this.orphansDue) await writeOrphans(join(outDir, ORPHANS_FILE), this.state.orphans());
  }

  /** Records how the run ended, closes the state and lets the next run in. */
  async close(status: string, counts: unknown): Promise<void> {
    try {
      this.state.keepMarks();
      this.state.finishRun(status, new Date(), counts);
    } finally {
      this.state.close();
      await this.lock?.release();
    }
  }

  private readonly now = (): number => (this.opts.now ?? Date.now)();
}

async function identityFor(o: DeltaRunOptions): Promise<TargetIdentity> {
  const t = o.target;
  if (typeof t === 'object' && 'options' in t) {
    // An emulator given in code: its store is only known once started, so there is nothing to compare with.
    return { name: t.name, baseUrl: 'emulator:', clientId: '', persistent: false };
  }
  return resolveIdentity(t, { env: o.env, cwd: o.cwd });
}
