import { join, relative } from 'node:path';
import { REPORT_FILE } from '../outputs/report/write-report.js';
import type { RunSummary } from '../outcomes/summary.js';
import type { RejectGroupsResult } from '../outcomes/reject-groups.js';
import { OUTCOME_KINDS, STAGES } from '../outcomes/index.js';

const n = (x: number): string => x.toLocaleString('en-US');

/** Reject kinds shown in the text summary; the rest are in report.html. */
export const TOP_REASONS = 5;
const EXAMPLE_WIDTH = 110;

function cut(s: string, w: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > w ? one.slice(0, w - 1) + '…' : one;
}

/** The end-of-run text a person reads in the morning: outcome first, then counts, then what went wrong, then where to look. */
export function formatSummary(s: RunSummary, outDir: string, cwd: string, rejects?: RejectGroupsResult): string {
  const c = s.counts;
  const secs = (s.durations.totalMs / 1000).toFixed(1);
  const head = `${s.pipeline} (${s.resource}${s.mode !== 'run' ? `, ${s.mode}` : ''}${s.target !== null ? ` -> ${s.target}` : ''}): ${s.status} in ${secs} s, ${n(s.rate.recordsPerSec)} records/s`;
  const lines = [head];
  const w = 10;
  const row = (label: string, value: string): string => `  ${label.padEnd(w)} ${value}`;
  lines.push(row('read', n(c.read) + (c.skippedOnResume > 0 ? ` (${n(c.skippedOnResume)} settled by an earlier attempt)` : '')));
  // The delta kinds come first: they say how much of what was read needed sending at all.
  for (const k of OUTCOME_KINDS) {
    const v = k.delta === true ? c[k.name] : undefined;
    if (v !== undefined && k.inTerminal && !(k.hideZero === true && v === 0))
      lines.push(row(k.label, `${n(v)}${k.note !== undefined ? ` ${k.note}` : ''}`));
  }
  if (s.mode === 'run') {
    lines.push(row('sent', n(c.sent)));
    for (const k of OUTCOME_KINDS) if (k.inTerminal && k.delta !== true) lines.push(row(k.label, n(c[k.name] ?? 0)));
    if (c.unsent > 0) lines.push(row('not sent', `${n(c.unsent)} read but not sent (stopped first; --resume sends them)`));
  } else if (s.mode === 'dry-run') {
    // What the delta filter held back was never batched.
    const heldBack = OUTCOME_KINDS.reduce((sum, k) => sum + (k.heldBack === true ? (c[k.name] ?? 0) : 0), 0);
    const batched = c.mapped - c.rejected.validate - heldBack;
    lines.push(row('batched', `${n(batched)} in ${n(s.batches)} batches (not sent)`));
  }
  const r = c.rejected;
  lines.push(row('rejected', r.total === 0 ? '0' : `${n(r.total)} (${STAGES.map((st) => `${st} ${n(r[st])}`).join(', ')})`));
  if (rejects !== undefined && rejects.groups.length > 0) {
    const top = rejects.groups.slice(0, TOP_REASONS);
    const cw = Math.max(...top.map((g) => n(g.count).length));
    for (const g of top) {
      const where = `${g.example.file}${g.example.entry !== undefined ? `!${g.example.entry}` : ''}:${g.example.line}`;
      lines.push(`    ${n(g.count).padStart(cw)}  ${g.stage.padEnd(8)} ${cut(g.shape, EXAMPLE_WIDTH)}`);
      lines.push(`    ${''.padStart(cw)}  ${''.padEnd(8)} e.g. ${where}: ${cut(g.example.reason, EXAMPLE_WIDTH)}`);
    }
    const more = rejects.groups.length - top.length + (rejects.other > 0 ? 1 : 0);
    if (more > 0) lines.push(`    … ${n(more)} more kind${more === 1 ? '' : 's'} of reject in report.html`);
  }
  for (const w of s.warnings) lines.push(row('warning', w));
  if (s.skippedEntries.length > 0) {
    const names = s.skippedEntries
      .slice(0, 5)
      .map((e) => e.entry)
      .join(', ');
    const more = s.skippedEntries.length > 5 ? `, … ${n(s.skippedEntries.length - 5)} more in summary.json` : '';
    lines.push(
      row(
        'not read',
        `${n(s.skippedEntries.length)} archive entr${s.skippedEntries.length === 1 ? 'y' : 'ies'} not of this pipeline's format: ${names}${more}`,
      ),
    );
  }
  if (s.mode === 'run') lines.push(row('requests', `${n(s.requests)} for ${n(s.batches)} batches, ${n(s.retries)} retries`));
  lines.push(row('run folder', relative(cwd, outDir) || '.'));
  if (rejects !== undefined) lines.push(row('report', join(relative(cwd, outDir), REPORT_FILE)));
  if (s.error !== undefined) lines.push(row('stopped by', `${s.error.message} [${s.error.code}]`));
  return lines.join('\n');
}
