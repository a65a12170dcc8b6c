/**
 * The young generation's size for a run, where Node can re-execute itself in place. V8 sizes
 * its semi-spaces from the machine: on Node 22 and 24 they grow to 32 MB each on a large machine,
 * and a run's young generation then holds ~100 MB of RSS that is nearly all garbage a batch later.
 * Capping them at 8 MB took a 1M-row run on Node 24 from 358-415 MB to 232-290 MB at about the same
 * CPU per row (bench/LOG.md, "Node 24"). V8 reads the size once, when the heap is made, so it cannot be
 * set from inside the process: the CLI replaces itself with `process.execve` (Node 22.15+ and 23.11+;
 * the same process id, open files and signals, nothing left behind), before anything is read, for
 * the commands that process records. Where Node lacks execve (Node 20) the heap growth bound
 * (heap-growth.ts) is what the CLI has. A user who sized the heap keeps their own settings; the
 * re-executed process sees the flag among its own and does not do it again.
 */
import { userSizedHeap } from './heap-growth.js';

export const SEMI_SPACE_MB = 8;

/** Commands worth the re-execution: they read records; the others are over in a moment. */
const RECORD_COMMANDS: ReadonlySet<string> = new Set(['run', 'validate']);

type Execve = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => never;

/** The command line to re-execute with, or undefined when the process should stay as it is. */
export function reexecArgs(argv: readonly string[], execArgv: readonly string[], nodeOptions: string | undefined): string[] | undefined {
  const command = argv[2];
  if (command === undefined || !RECORD_COMMANDS.has(command)) return undefined;
  if (userSizedHeap(nodeOptions, execArgv)) return undefined;
  // Without the growth bound: on Node 24 it cost 10-22% more CPU per row on top of this cap for
  // 55-80 MB less (bench/LOG.md); the re-executed process has a heap flag, so heap-growth.ts leaves it.
  return [argv[0] ?? process.execPath, `--max-semi-space-size=${SEMI_SPACE_MB}`, ...execArgv, ...argv.slice(1)];
}

/** Replaces this process with one whose young generation is capped, where Node can. */
export function capYoungGeneration(): void {
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve !== 'function') return;
  const args = reexecArgs(process.argv, process.execArgv, process.env.NODE_OPTIONS);
  if (args === undefined) return;
  try {
    execve.call(process, process.execPath, args, process.env);
  } catch {
    // Not replaced (an unusual platform or a refused exec): the run goes on with V8's own sizing.
  }
}
