import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { PipelineSpec } from '../config/pipeline-spec.js';
import { RESOURCES, type ResourceInfo } from '../core/resource.js';
import { directivesToRequest, requestEnvelope, type RequestEnvelope } from '../stages/7-send/request-body.js';
import { compileMapping, type CompiledMapping } from '../stages/3-map/compile-mapping.js';
import { resolveInputs, type InputFile } from '../stages/1-read/resolve-inputs.js';
import type { SendEvent } from '../stages/7-send/send-event.js';
import { Journal, JOURNAL_FILE, readJournal, type JournalState } from '../resume/journal.js';
import { PrivateFile } from '../core/private-file.js';
import type { SkippedEntry } from '../stages/1-read/input-parts.js';
import { RunCounts } from '../outcomes/index.js';
import { DeferredPasses } from '../stages/7-send/deferred/index.js';
import { RunProbe } from '../outputs/progress/run-probe.js';
import { RunRecorder } from '../outputs/report/run-recorder.js';
import { checkFormatName, checkSourceColumns, MappedPaths } from '../preflight/index.js';
import { chooseRunFolder, prepareRunFolder, readSummary, type FolderMode } from './run-folder.js';
import { connectTarget, type ConnectedTarget, type TargetChoice } from './connect-target.js';
import { checkInputs } from './input-check.js';
import { pipelineOf } from './run-file.js';
import { checkFirstEncoding } from '../stages/1-read/check-encoding.js';
import type { InputIdentity } from '../resume/input-identity.js';
import type { RunMode } from '../outcomes/summary.js';
import type { DeltaRun } from '../stages/5-delta/delta-run.js';
import { itemSchemaText } from '../stages/4-validate/schema-registry.js';
import type { MetricsOptions, MetricsOutput } from '../outputs/metrics/metrics-output.js';

/** What opening a run needs of runPipeline's options. */
export interface OpenRunOptions {
  /** A pipeline file (relative to `cwd`), or an already loaded spec. */
  readonly pipeline: string | PipelineSpec;
  /** `run` sends; `dry-run` writes the batches it would send; `validate` reads, maps and validates only. */
  readonly mode?: RunMode;
  /** A target name from config/targets.yaml (default `propel`), or a target given in code. */
  readonly target?: TargetChoice;
  /** The run folder (default `runs/<name>/<timestamp>/`). */
  readonly out?: string;
  readonly resume?: boolean;
  readonly fresh?: boolean;
  /** Only the first N records. */
  readonly limit?: number;
  readonly vars?: Readonly<Record<string, string>>;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Used when the source path is `-`. */
  readonly stdin?: Readable;
  /** The sender's events (requests, retries), for the report and the caller. */
  readonly onSend?: (e: SendEvent) => void;
  /** Pipelines with `delta:`: the folder of the states (default `state/` in cwd). */
  readonly state?: string;
  /** Pipelines with `delta:`: send everything, and refresh the state from the answers. */
  readonly full?: boolean;
  /** Pipelines with `delta:`: this one run may go past delta.maxChanged and delta.maxOrphans. */
  readonly acceptDelta?: boolean;
  /** Where the run's metrics go at its end (a file, a Pushgateway), or an output several runs share; `run` mode only. */
  readonly metrics?: MetricsOptions | MetricsOutput;
}

/**
 * One run's state from configuration to close: the spec and what is compiled from it once, the
 * run folder, the target, the counts and their readers, and (once `open`ed) the journal with the
 * resume state and the result files.
 */
export class Run {
  readonly startedAt = new Date();
  runId: string = randomUUID();
  attempt = 1;
  /** What an earlier attempt settled (on --resume). */
  earlier: JournalState | undefined;
  journal: Journal | undefined;
  results!: PrivateFile;
  rejects!: PrivateFile;
  readonly stats = { batches: 0, requests: 0, retries: 0, throttled: 0 };
  /** What earlier attempts of a resumed run sent, from their summary.json. */
  private carried = { requests: 0, retries: 0, throttled: 0 };
  /** Archive entries the source passed over (not the pipeline's format, or not chosen by `zip.entries`): the summary lists them. */
  skippedEntries: readonly SkippedEntry[] = [];
  readonly #files: PrivateFile[] = [];

  private constructor(
    readonly opts: OpenRunOptions,
    readonly spec: PipelineSpec,
    readonly mode: RunMode,
    readonly resource: ResourceInfo,
    readonly mapRecord: CompiledMapping,
    /** Mapped paths no record has had yet: the summary's warnings. */
    readonly mappedPaths: MappedPaths,
    readonly inputs: readonly InputFile[],
    /** The inputs' identities as this attempt starts (a run only): the journal keeps them for --resume. */
    readonly identities: readonly InputIdentity[] | undefined,
    readonly envelope: RequestEnvelope,
    readonly outDir: string,
    readonly folderMode: FolderMode,
    readonly counts: RunCounts,
    readonly probe: RunProbe,
    readonly recorder: RunRecorder,
    readonly target: ConnectedTarget | undefined,
    /** Items refused (e.g. parent not there yet) wait and are sent again after the main stream. */
    readonly deferred: DeferredPasses | undefined,
    /** `delta:`: the state of this pipeline and target (locked), the filter stage, the sink's hook. */
    readonly delta: DeltaRun | undefined,
  ) {}

  /**
   * Everything that can be wrong with the configuration is found here, before the first request
   * (it throws: exit 2); the run folder is prepared and the target connected.
   */
  static async prepare(opts: OpenRunOptions): Promise<Run> {
    const mode = opts.mode ?? 'run';
    const cwd = opts.cwd ?? process.cwd();
    const env = opts.env ?? process.env;
    const spec = await pipelineOf(opts);
    const resource = RESOURCES[spec.resource];
    const mappedPaths = new MappedPaths(spec);
    const mapRecord = mappedPaths.watch(compileMapping(spec.mapping));
    checkFormatName(spec);
    const inputs = await resolveInputs(spec.source, dirname(spec.file), { columns: mapRecord.sources });
    await checkSourceColumns(spec, inputs);
    const directives = spec.resource === 'usergroups' ? directivesToRequest(spec.directives) : [];
    const envelope = requestEnvelope(resource, directives);

    const outDir = await chooseRunFolder(spec.name, opts, cwd);
    const folderMode: FolderMode = opts.resume === true ? 'resume' : opts.fresh === true ? 'fresh' : 'new';
    // A rehearsal or a validation has nothing to resume: it always starts its folder anew.
    await prepareRunFolder(outDir, mode === 'run' ? folderMode : folderMode === 'resume' ? 'fresh' : folderMode);
    // Only a run keeps a journal; resuming over inputs other than the ones it started on is refused here, before the target is contacted.
    const identities =
      mode === 'run' ? await checkInputs(inputs, spec.source, folderMode === 'resume' ? join(outDir, JOURNAL_FILE) : undefined) : undefined;
    // A run reaches its target before it reads: an input in another encoding must be exit 2 before that connection.
    if (mode === 'run') await checkFirstEncoding(inputs, spec.source);

    const counts = new RunCounts();
    const probe = new RunProbe(counts, mode, spec.delta !== undefined && mode !== 'validate');
    const recorder = new RunRecorder(() => probe.snapshot());
    const target =
      mode === 'run'
        ? await connectTarget(opts.target ?? 'propel', {
            env,
            cwd,
            resource,
            send: spec.send,
            directives,
            onEvent: (e) => {
              recorder.onSend(e);
              opts.onSend?.(e);
            },
          })
        : undefined;
    // The delta state is found, locked and checked here too: a state in doubt is exit 2 with nothing sent.
    // `delta:` only: the state is SQLite, whose native module a run without it does not load.
    const delta =
      mode === 'validate' || spec.delta === undefined
        ? undefined
        : await Promise.all([import('../stages/5-delta/delta-run.js'), import('../stages/5-delta/fingerprint.js')])
            .then(([{ DeltaRun }, { runFingerprint }]) =>
              DeltaRun.open(
                {
                  spec,
                  ...(spec.delta?.compareBytes !== false ? { fingerprint: runFingerprint(spec, itemSchemaText(spec.resource)) } : {}),
                  mode,
                  target: opts.target ?? 'propel',
                  env,
                  cwd,
                  ...(target !== undefined ? { identity: target.identity } : {}),
                  ...(opts.state !== undefined ? { stateDir: opts.state } : {}),
                  ...(opts.full === true ? { full: true } : {}),
                  ...(opts.acceptDelta === true ? { acceptDelta: true } : {}),
                },
                new Date(),
              ),
            )
            .catch(async (e: unknown) => {
              await target?.close();
              throw e;
            });
    const deferred = target !== undefined ? new DeferredPasses({ dir: outDir }) : undefined;
    return new Run(
      opts,
      spec,
      mode,
      resource,
      mapRecord,
      mappedPaths,
      inputs,
      identities,
      envelope,
      outDir,
      folderMode,
      counts,
      probe,
      recorder,
      target,
      deferred,
      delta,
    );
  }

  /** The journal (created, or read back and appended to on --resume) and the result files. */
  async open(): Promise<void> {
    const journalPath = join(this.outDir, JOURNAL_FILE);
    if (this.mode === 'run') {
      if (this.folderMode === 'resume') {
        this.earlier = await readJournal(journalPath);
        this.runId = this.earlier.header.runId;
        this.attempt = this.earlier.attempts + 1;
        this.counts.resumeFrom(this.earlier.counts);
        // The earlier attempts' requests and batches go on too, as their counts do: `sent` and `requests` tell the same run.
        const before = await readSummary(this.outDir);
        if (before !== undefined) {
          this.carried = { requests: before.requests, retries: before.retries, throttled: before.throttled ?? 0 };
          this.stats.batches = before.batches;
        }
        this.journal = await Journal.append(journalPath, this.attempt, this.identities);
      } else {
        this.journal = await Journal.create(journalPath, {
          t: 'start',
          runId: this.runId,
          pipeline: this.spec.name,
          resource: this.spec.resource,
          startedAt: this.startedAt.toISOString(),
          ends: true,
          ...(this.identities !== undefined ? { inputs: this.identities } : {}),
        });
      }
    }
    this.delta?.begin(
      this.runId,
      this.startedAt,
      this.inputs.map((i) => i.object.display),
    );
    const flags = this.folderMode === 'resume' ? 'a' : 'w';
    const ends = this.earlier?.ends;
    this.results = await PrivateFile.open(join(this.outDir, 'results.ndjson'), flags, ends?.results);
    this.#files.push(this.results);
    this.rejects = await PrivateFile.open(join(this.outDir, 'rejects.ndjson'), flags, ends?.rejects);
    this.#files.push(this.rejects);
    this.recorder.start();
  }

  /** Closes the files, journal and target; the delta state stays open for the outputs (orphans.ndjson), finishRun closes it. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#files.map((f) => f.close()), this.journal?.close(), this.target?.close(), this.deferred?.dispose()]);
    if (this.target !== undefined)
      Object.assign(this.stats, {
        requests: this.carried.requests + this.target.stats.requests,
        retries: this.carried.retries + this.target.stats.retries,
        throttled: this.carried.throttled + this.target.stats.throttled,
      });
  }
}
