/**
 * Targets (`--target NAME`) from `targets.yaml`: the Propel API over HTTPS with credentials from
 * the environment, or the embedded emulator. Secrets are substituted only for the chosen target
 * and never appear in a message.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSecureUrl } from '../core/loopback.js';
import { ConfigError } from '../core/errors.js';
import { formatKeyPath } from './key-path.js';
import { SourceDocument } from './load-document.js';
import { checkSchema, inlineValidator } from './schema-check.js';
import { varLookup } from './substitute-vars.js';

export type TargetSpec =
  | {
      name: string;
      kind: 'http';
      baseUrl: string;
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      /** Set when this is an emulator a job started for its steps: which store it is, and whether that store outlives the process. */
      embedded?: EmbeddedStore;
    }
  | {
      name: string;
      kind: 'emulator';
      /** The emulator keeps its store in this file (absolute) between runs. */
      stateFile?: string;
    };

/** An embedded emulator's store, as a delta state needs to know it. */
export interface EmbeddedStore {
  readonly storeId: string;
  /** Kept in a state file (the store, and so a delta state about it, outlives the run). */
  readonly persistent: boolean;
}

export interface TargetOptions {
  /** A folder holding targets.yaml; wins over ./config/ and the package's own config/. */
  configDir?: string;
  /** The working folder whose ./config/ is searched (default process.cwd()). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

const TARGETS_FILE = 'targets.yaml';
/** The package's own targets file, in config/ two levels above both src/config and dist/config. */
const PACKAGE_TARGETS = path.join(fileURLToPath(new URL('../../config/', import.meta.url)), TARGETS_FILE);

type RawTarget = { emulator: true; stateFile?: string } | { baseUrl: string; tokenUrl: string; clientId: string; clientSecret: string };

const validateTargets = inlineValidator<Record<string, RawTarget>>({
  type: 'object',
  additionalProperties: {
    type: 'object',
    // A discriminator rather than anyOf, so a misspelt key is reported as such.
    if: { required: ['emulator'] },
    then: {
      additionalProperties: false,
      properties: {
        emulator: { description: 'Start the Propel emulator inside the process.', const: true },
        stateFile: {
          description: 'Keep its store in this file between runs (relative to the working folder).',
          type: 'string',
          minLength: 1,
        },
      },
    },
    else: {
      additionalProperties: false,
      required: ['baseUrl', 'tokenUrl', 'clientId', 'clientSecret'],
      properties: {
        baseUrl: { description: 'REST base URL.', type: 'string' },
        tokenUrl: { description: 'OAuth2 token URL.', type: 'string' },
        clientId: { description: 'OAuth2 client id.', type: 'string' },
        clientSecret: { description: 'OAuth2 client secret; from the environment.', type: 'string' },
      },
    },
  },
});

/** The targets file in use: options.configDir, else ./config/ in the working folder, else the package's. */
export async function findTargetsFile(options: TargetOptions = {}): Promise<string> {
  if (options.configDir !== undefined) return path.resolve(options.configDir, TARGETS_FILE);
  const local = path.resolve(options.cwd ?? process.cwd(), 'config', TARGETS_FILE);
  try {
    await access(local);
    return local;
  } catch {
    return PACKAGE_TARGETS;
  }
}

/**
 * A targets file of one's own extends the package's: a target it defines wins, one it does not
 * define (`local`, say) still comes from the package.
 */
export async function loadTarget(name: string, options: TargetOptions = {}): Promise<TargetSpec> {
  const own = await findTargetsFile(options);
  const known: string[] = [];
  for (const file of own === PACKAGE_TARGETS ? [own] : [own, PACKAGE_TARGETS]) {
    const doc = await SourceDocument.read(file);
    const names = Object.keys(asRecord(doc.toData()));
    if (names.includes(name)) return resolveTarget(doc, file, name, options);
    for (const n of names) if (!known.includes(n)) known.push(n);
  }
  throw new ConfigError(`unknown target "${name}"; known targets: ${known.join(', ') || '(none)'}`, { file: own });
}

function resolveTarget(doc: SourceDocument, file: string, name: string, options: TargetOptions): TargetSpec {
  // Only this target's variables: choosing `local` must not require PROPEL_CLIENT_SECRET.
  doc.substitute(varLookup({}, options.env ?? process.env), [name], (v) => `set ${v} in the environment`);
  const data = doc.toData();
  checkSchema(doc, data, validateTargets);
  const raw = data[name] as RawTarget;
  if ('emulator' in raw)
    return {
      name,
      kind: 'emulator',
      ...(raw.stateFile !== undefined ? { stateFile: path.resolve(options.cwd ?? process.cwd(), raw.stateFile) } : {}),
    };

  for (const key of ['clientId', 'clientSecret'] as const) {
    if (raw[key].trim() === '') {
      throw new ConfigError(`${key} of target "${name}" is empty (its variable is set but empty)`, {
        file,
        line: doc.lineOf([name, key]),
        key: formatKeyPath([name, key]),
      });
    }
  }
  for (const key of ['baseUrl', 'tokenUrl'] as const)
    checkUrl(raw[key], { file, line: doc.lineOf([name, key]), key: formatKeyPath([name, key]), target: name });
  return {
    name,
    kind: 'http',
    baseUrl: raw.baseUrl.replace(/\/+$/, ''),
    tokenUrl: raw.tokenUrl,
    clientId: raw.clientId,
    clientSecret: raw.clientSecret,
  };
}

function asRecord(data: unknown): Record<string, unknown> {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

/** HTTPS, except to loopback hosts (the emulator); no credentials inside the URL. Messages show scheme and host only. */
function checkUrl(value: string, where: { file: string; line: number | undefined; key: string; target: string }): void {
  const context = { file: where.file, line: where.line, key: where.key };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${where.key} of target "${where.target}" is not a URL`, context);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `${where.key} of target "${where.target}" must not hold credentials; use PROPEL_CLIENT_ID and PROPEL_CLIENT_SECRET`,
      context,
    );
  }
  if (!isSecureUrl(url)) {
    throw new ConfigError(
      `${where.key} of target "${where.target}" must use https (plain http only to localhost/127.0.0.1); got ${url.protocol}//${url.host}`,
      context,
    );
  }
}
