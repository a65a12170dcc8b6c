import { relative } from 'node:path';
import type { RunSummary } from '../run/summary.js';

const n = (x: number): string => x.toLocaleString('en-US');

/** The end-of-run text a person reads in the morning: outcome first, then counts, then where to look. */
export function formatSummary(s: RunSummary, outDir: string, cwd: string): string {
  const c = s.counts;
  const secs = (s.durations.totalMs / 1000).toFixed(1);
  const head = `${s.pipeline} (${s.resource}${s.mode !== 'run' ? `, ${s.mode}` : ''}${s.target !== null ? ` -> ${s.target}` : ''}): ${s.status} in ${secs} s, ${n(s.rate.recordsPerSec)} records/s`;
  const lines = [head];
  const w = 10;
  const row = (label: string, value: string): string => `  ${label.padEnd(w)} ${value}`;
  lines.push(row('read', n(c.read) + (c.skippedOnResume > 0 ? ` (${n(c.skippedOnResume)} settled by an earlier attempt)` : '')));
  if (s.mode === 'run') {
    lines.push(row('sent', n(c.sent)));
    lines.push(row('created', n(c.created)));
    lines.push(row('updated', n(c.updated)));
  } else if (s.mode === 'dry-run') {
    lines.push(row('batched', `${n(c.mapped - c.rejected.validate)} in ${n(s.batches)} batches (not sent)`));
  }
  const r = c.rejected;
  lines.push(row('rejected', r.total === 0 ? '0' : `${n(r.total)} (read ${n(r.read)}, map ${n(r.map)}, validate ${n(r.validate)}, api ${n(r.api)})`));
  if (s.mode === 'run') lines.push(row('requests', `${n(s.requests)} for ${n(s.batches)} batches, ${n(s.retries)} retries`));
  lines.push(row('run folder', relative(cwd, outDir) || '.'));
  if (s.error !== undefined) lines.push(row('stopped by', `${s.error.message} [${s.error.code}]`));
  return lines.join('\n');
}
