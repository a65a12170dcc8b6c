/**
 * better-sqlite3 is a native module: built by its install script for the Node that ran `npm ci`.
 * Run under another Node, or installed with install scripts blocked (npm 12 blocks those not in
 * `allowScripts`), it fails to load at the first `new Database`; Node's own message ("compiled
 * against a different Node.js version using NODE_MODULE_VERSION 115…", "Could not locate the
 * bindings file") says nothing of what to run. This says it in one line.
 */
import { ConfigError, ERR } from '../core/errors.js';

const REBUILD = 'npm rebuild better-sqlite3';

/** The ConfigError for a native module that cannot be loaded, or undefined for any other error. */
export function nativeModuleFailure(e: unknown): ConfigError | undefined {
  if (!(e instanceof Error)) return undefined;
  const node = `Node ${process.version}`;
  if (/NODE_MODULE_VERSION/.test(e.message)) {
    return failure(`better-sqlite3's native module was built for another Node version than this ${node}: run \`${REBUILD}\` with this Node (or npm ci)`);
  }
  if (/Could not locate the bindings file/.test(e.message)) {
    return failure(`better-sqlite3's native module was never built (its install script did not run): run \`${REBUILD}\`, and install with --allow-scripts=better-sqlite3`);
  }
  if ((e as NodeJS.ErrnoException).code === 'ERR_DLOPEN_FAILED') {
    const why = e.message.split('\n')[0] ?? '';
    return failure(`better-sqlite3's native module cannot be loaded by this ${node} (${why}): run \`${REBUILD}\` with this Node`);
  }
  return undefined;
}

function failure(message: string): ConfigError {
  return new ConfigError(`the delta state cannot be opened: ${message}`, {}, ERR.STATE_NATIVE_MODULE);
}
