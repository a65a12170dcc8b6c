import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { EXIT } from '../core/errors.js';
import type { EmulatorOptions, Faults } from '../emulator/index.js';

/** Where the emulator's accepted client secret can come from instead of a flag. */
const SECRET_ENV = 'PROPEL_EMULATOR_CLIENT_SECRET';

export interface EmulatorCommandOptions {
  port: number;
  host: string;
  latency?: number;
  capacity?: number;
  tokenLifetime?: number;
  tokenShape?: 'number' | 'string';
  throttleEvery?: number;
  retryAfter?: number | string;
  failNext?: number;
  failStatus?: number;
  dropNext?: number;
  hangNext?: number;
  refuseItems?: string[];
  invalidItems?: string[];
  opaqueItems?: string[];
  state?: string;
  clientId?: string;
  clientSecret?: string;
}

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected a number of at least 0, got "${value}"`);
  return n;
}

function whole(value: string): number {
  const n = number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
}

/** Seconds stay a number (sent as `Retry-After: 2`); anything else is sent as written, e.g. an HTTP date. */
function retryAfter(value: string): number | string {
  return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

function keyList(value: string): string[] {
  return value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/** The fault set the flags describe; what is not given is off. */
export function faultsFromFlags(flags: EmulatorCommandOptions): Faults {
  const after = flags.retryAfter !== undefined ? { retryAfter: flags.retryAfter } : {};
  return {
    ...(flags.latency !== undefined ? { latencyMs: flags.latency } : {}),
    ...(flags.capacity !== undefined ? { capacity: flags.capacity } : {}),
    ...(flags.tokenLifetime !== undefined ? { tokenLifetimeSec: flags.tokenLifetime } : {}),
    ...(flags.throttleEvery !== undefined ? { throttleEvery: { every: flags.throttleEvery, ...after } } : {}),
    ...(flags.failNext !== undefined ? { failNext: { count: flags.failNext, status: flags.failStatus ?? 503, ...after } } : {}),
    ...(flags.dropNext !== undefined ? { dropNext: flags.dropNext } : {}),
    ...(flags.hangNext !== undefined ? { hangNext: flags.hangNext } : {}),
    ...(flags.refuseItems !== undefined ? { refuseItems: flags.refuseItems } : {}),
    ...(flags.invalidItems !== undefined ? { invalidItems: flags.invalidItems } : {}),
    ...(flags.opaqueItems !== undefined ? { opaqueItems: flags.opaqueItems } : {}),
  };
}

/** Registers `propel-etl emulator` and its fault flags on the program. */
export function addEmulatorCommand(program: Command): Command {
  return program
    .command('emulator')
    .description('start the Propel emulator in the foreground and print its base URL')
    .option('--port <n>', 'port (0 = any free port)', whole, 8787)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--latency <ms>', 'delay every bulk answer by this many ms', number)
    .option('--capacity <n>', 'concurrent bulk requests beyond this get 429 with Retry-After: 1', whole)
    .option('--token-lifetime <s>', 'lifetime of issued tokens in seconds', number)
    .addOption(new Option('--token-shape <shape>', 'expires_in as a number (JWT) or as a string').choices(['number', 'string']))
    .option('--throttle-every <n>', 'answer every n-th bulk request 429', whole)
    .option('--retry-after <value>', 'Retry-After sent with --throttle-every and --fail-next: seconds or an HTTP date', retryAfter)
    .option('--fail-next <n>', 'answer the next n bulk requests with --fail-status', whole)
    .option('--fail-status <status>', 'status for --fail-next (default 503)', whole)
    .option('--drop-next <n>', 'drop the connection of the next n bulk requests without an answer', whole)
    .option('--hang-next <n>', 'never answer the next n bulk requests', whole)
    .option('--refuse-items <keys>', 'answer these item keys (comma-separated sourceIds or ids) success:false', keyList)
    .option('--invalid-items <keys>', 'refuse these item keys as schema violations (400, #/users/N pointers)', keyList)
    .option(
      '--opaque-items <keys>',
      'refuse any request holding these item keys (400 without a pointer: the client must split the batch)',
      keyList,
    )
    .option('--state <file>', 'keep the store in this file: loaded at start, saved after changes and at exit')
    .option('--client-id <id>', 'accepted client id')
    .option('--client-secret <secret>', `accepted client secret (or set ${SECRET_ENV}, which ps does not show)`)
    .action((flags: EmulatorCommandOptions) => startEmulatorCommand(flags));
}

/** `propel-etl emulator`: runs until SIGINT/SIGTERM, printing the settings a target needs. */
export async function startEmulatorCommand(flags: EmulatorCommandOptions): Promise<void> {
  // Imported here, not at the CLI's start: the server and its schema compiler are for this command only.
  const [{ DEFAULT_CLIENT, startEmulator }, { faultsProblem }] = await Promise.all([
    import('../emulator/index.js'),
    import('../emulator/faults.js'),
  ]);
  const faults = faultsFromFlags(flags);
  const problem = faultsProblem(faults);
  if (problem !== undefined) {
    process.stderr.write(`propel-etl emulator: ${problem}\n`);
    process.exit(EXIT.usage);
  }
  // The environment keeps the secret out of the process list (`ps` shows a --client-secret flag).
  const secret = flags.clientSecret ?? process.env[SECRET_ENV];
  if (flags.clientId !== undefined && secret === undefined) {
    process.stderr.write(`propel-etl emulator: --client-id needs a secret: --client-secret or ${SECRET_ENV}\n`);
    process.exit(EXIT.usage);
  }
  const accepted = secret !== undefined ? { id: flags.clientId ?? DEFAULT_CLIENT.id, secret } : undefined;
  const options: EmulatorOptions = {
    host: flags.host,
    port: flags.port,
    faults,
    ...(flags.tokenLifetime !== undefined ? { tokenLifetimeSec: flags.tokenLifetime } : {}),
    ...(flags.tokenShape !== undefined ? { tokenShape: flags.tokenShape } : {}),
    ...(flags.state !== undefined ? { stateFile: resolve(flags.state) } : {}),
    ...(accepted !== undefined ? { clients: [accepted] } : {}),
  };
  let emu;
  try {
    emu = await startEmulator(options);
  } catch (e) {
    process.stderr.write(`propel-etl emulator: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(EXIT.usage);
  }
  const client = emu.clients[0];
  const active = Object.keys(faults);
  process.stdout.write(`${emu.baseUrl}\n`);
  process.stderr.write(
    `Propel emulator listening. Point the propel target at it:\n` +
      `  PROPEL_BASE_URL=${emu.baseUrl} PROPEL_TOKEN_URL=${emu.tokenUrl} PROPEL_CLIENT_ID=${client?.id ?? ''} PROPEL_CLIENT_SECRET=<the emulator's secret>\n` +
      (active.length > 0 ? `Faults: ${active.join(', ')} (change them with POST ${emu.origin}/__emulator/faults).\n` : '') +
      (flags.state !== undefined
        ? `Store kept in ${resolve(flags.state)} (${emu.store.users().length} users, ${emu.store.usergroups().length} usergroups loaded).\n`
        : '') +
      `Read back the store at ${emu.origin}/__emulator/store/users and /usergroups. Ctrl-C stops it.\n`,
  );
  const running = emu;
  const stop = (): void => {
    void running.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`propel-etl emulator: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(EXIT.aborted);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
