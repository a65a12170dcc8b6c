/** The loader hook of record-imports.mjs: runs on the loader's thread, so it writes synchronously before each module is evaluated. */
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, next) {
  appendFileSync(file, `${url}\n`);
  return next(url, context);
}
