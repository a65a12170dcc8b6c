/**
 * The options of runPipeline and runJob checked when called from code, where TypeScript may
 * not be there to catch `mode: 'runn'` or `pipline:`. A wrong option is a ConfigError naming
 * it (exit 2 semantics), never a TypeError from deep inside the run.
 */
import { didYouMean } from '../config/did-you-mean.js';
import { ERR, ConfigError } from '../core/errors.js';
import type { JobOptions, RunPipelineOptions } from './run-types.js';

type Check = (value: unknown) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const string: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const fn: Check = (v) => (typeof v === 'function' ? undefined : 'must be a function');
const count: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'must be a whole number of at least 0');
const oneOf =
  (...allowed: string[]): Check =>
  (v) => {
    if (typeof v === 'string' && allowed.includes(v)) return undefined;
    const suggestion = typeof v === 'string' ? didYouMean(v, allowed) : undefined;
    return `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}${suggestion !== undefined ? ` (did you mean '${suggestion}'?)` : ''}`;
  };
const stringRecord: Check = (v) =>
  isObject(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : 'must be an object of strings';
const envObject: Check = (v) =>
  isObject(v) && Object.values(v).every((x) => x === undefined || typeof x === 'string')
    ? undefined
    : 'must be an object of strings (like process.env)';
const signal: Check = (v) => (v instanceof AbortSignal ? undefined : 'must be an AbortSignal');
const readable: Check = (v) =>
  isObject(v) && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
    ? undefined
    : 'must be a readable stream';

const SPEC_KEYS = ['name', 'resource', 'source', 'mapping', 'batch', 'send', 'errors', 'file'] as const;
const pipeline: Check = (v) => {
  if (typeof v === 'string') return v !== '' ? undefined : 'must be a pipeline file path or a loaded PipelineSpec';
  if (!isObject(v)) return 'must be a pipeline file path or a loaded PipelineSpec (from loadPipeline)';
  const missing = SPEC_KEYS.filter((k) => v[k] === undefined);
  return missing.length === 0
    ? undefined
    : `is not a loaded PipelineSpec (it lacks ${missing.join(', ')}; load the file with loadPipeline, or pass its path)`;
};
const target: Check = (v) => {
  if (typeof v === 'string') return v !== '' ? undefined : 'must be a target name or a target object';
  return isObject(v) && typeof v.name === 'string' && typeof v.kind === 'string'
    ? undefined
    : 'must be a target name (from config/targets.yaml) or a target object with name and kind';
};
const job: Check = (v) => {
  if (typeof v === 'string') return v !== '' ? undefined : 'must be a job file path or a loaded job';
  return isObject(v) &&
    typeof v.file === 'string' &&
    typeof v.name === 'string' &&
    Array.isArray(v.steps) &&
    v.steps.every((s) => typeof s === 'string')
    ? undefined
    : 'must be a job file path or a loaded job ({ file, name, steps } from loadJob)';
};

/**
 * One rule per option, typed from the options themselves: an option added to RunPipelineOptions
 * or JobOptions without a rule here does not compile (rather than being refused at run time).
 */
type Rules<T> = { readonly [K in keyof T]-?: Check };

const COMMON: Rules<Omit<RunPipelineOptions, 'pipeline'>> = {
  mode: oneOf('run', 'dry-run', 'validate'),
  target,
  out: string,
  resume: boolean,
  fresh: boolean,
  limit: count,
  vars: stringRecord,
  env: envObject,
  cwd: string,
  stdin: readable,
  stop: signal,
  onEvent: fn,
  state: string,
  full: boolean,
  acceptDelta: boolean,
  metrics: (v) => (isObject(v) ? undefined : 'must be { file?, pushgateway? } or a MetricsOutput'),
};

const RUN_PIPELINE: Rules<RunPipelineOptions> = { pipeline, ...COMMON };
const RUN_JOB: Rules<JobOptions> = { job, onStep: fn, ...COMMON };

/** Every option each entry point takes: README's table of options is held against these. */
export const OPTION_NAMES: { readonly runPipeline: readonly string[]; readonly runJob: readonly string[] } = {
  runPipeline: Object.keys(RUN_PIPELINE),
  runJob: Object.keys(RUN_JOB),
};

function check(options: unknown, rules: Readonly<Record<string, Check>>, required: string, fnName: string): void {
  if (!isObject(options)) throw new ConfigError(`${fnName}() takes an options object`, {}, ERR.CONFIG_OPTION);
  for (const [key, value] of Object.entries(options)) {
    const rule = rules[key];
    if (rule === undefined) {
      const suggestion = didYouMean(key, Object.keys(rules));
      throw new ConfigError(
        `${fnName}(): unknown option "${key}"${suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ` (known: ${Object.keys(rules).join(', ')})`}`,
        { key },
        ERR.CONFIG_OPTION,
      );
    }
    // undefined is "not given", as optional properties are in TypeScript.
    if (value === undefined) continue;
    const problem = rule(value);
    if (problem !== undefined) throw new ConfigError(`${fnName}(): option ${key} ${problem}`, { key }, ERR.CONFIG_OPTION);
  }
  if (options[required] === undefined)
    throw new ConfigError(`${fnName}(): option ${required} is required`, { key: required }, ERR.CONFIG_OPTION);
}

export function checkRunPipelineOptions(options: unknown): void {
  check(options, RUN_PIPELINE, 'pipeline', 'runPipeline');
}

export function checkRunJobOptions(options: unknown): void {
  check(options, RUN_JOB, 'job', 'runJob');
}
