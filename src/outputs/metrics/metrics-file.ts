import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readLastSuccesses } from './last-success.js';
import { metricsRegistry } from './metrics-registry.js';
import type { RunMetrics } from './run-metrics.js';

/**
 * Writes the runs' metrics to `path` for node_exporter's textfile collector, which may read the
 * file at any moment: the text goes to a temporary file in the same folder (a name without the
 * .prom ending, so the collector skips it), is synced, then renamed over the old file in one step.
 * Last successes already in the file are kept for the runs that failed. Mode 0644: the collector
 * runs as another user, and the file holds names and counts only, no record data.
 */
export async function writeMetricsFile(path: string, runs: readonly RunMetrics[]): Promise<void> {
  const registry = await metricsRegistry(runs, await readLastSuccesses(path));
  const text = await registry.metrics();
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(temp, 'wx', 0o644);
    try {
      // Whatever the umask: the collector must be able to read it.
      await fh.chmod(0o644);
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}
