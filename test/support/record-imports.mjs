/**
 * Preloaded into a CLI child (`NODE_OPTIONS=--import …`) by the start-up tests: appends the URL of
 * every module the process loads to $RECORD_IMPORTS_FILE, one a line. ES modules through a loader
 * hook (it also sees CommonJS packages that ES modules import); modules that CommonJS code
 * requires, which Node 20 does not pass through the hooks, from require.cache at exit.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.RECORD_IMPORTS_FILE;
if (file === undefined) throw new Error('record-imports.mjs needs RECORD_IMPORTS_FILE');
register('./record-imports-hooks.mjs', import.meta.url, { data: { file } });
process.on('exit', () => {
  const required = Object.keys(createRequire(import.meta.url).cache);
  appendFileSync(file, required.map((p) => `${pathToFileURL(p).href}\n`).join(''));
});
