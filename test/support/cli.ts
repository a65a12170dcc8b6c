/** Runs the built CLI (dist/) as a child process, the way a scheduler does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Piped to the child's stdin, which is then closed (at once when there is no input). */
  readonly input?: string | Buffer;
}

/** The CLI as a child process the test can signal while it runs; `done` settles when it has exited. */
export function startCli(args: readonly string[], opts: CliOptions): { child: ChildProcess; done: Promise<CliRun> } {
  // Only what the run needs: a scheduler's environment holds nothing of the test runner's.
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // A child that exits before reading all of its input must not fail the test with EPIPE.
  child.stdin.on('error', () => undefined);
  child.stdin.end(opts.input);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** The CLI run to its end. */
export function runCli(args: readonly string[], opts: CliOptions): Promise<CliRun> {
  return startCli(args, opts).done;
}

/** Environment for the `propel` target pointed at an emulator. */
export function targetEnv(emu: { baseUrl: string; tokenUrl: string }, secret: string, id = 'propel-etl-local'): NodeJS.ProcessEnv {
  return { PROPEL_BASE_URL: emu.baseUrl, PROPEL_TOKEN_URL: emu.tokenUrl, PROPEL_CLIENT_ID: id, PROPEL_CLIENT_SECRET: secret };
}
