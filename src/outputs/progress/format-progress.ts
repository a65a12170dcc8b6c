import { PROGRESS_KINDS } from '../../outcomes/index.js';
import type { ProgressSnapshot } from './run-probe.js';

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

/** `1h02m`, `3m05s`, `12s`: short enough for a status line. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Time left, from the share of input bytes read so far: the one measure known before the
 * records are (a CSV's record count is not). A delta night compared first, once read, knows how
 * many changes it sends: from then on, from the share of them sent. Undefined until there is
 * something to go on.
 */
export function etaMs(p: ProgressSnapshot): number | undefined {
  if (p.sending !== undefined) {
    const { total, done, elapsedMs } = p.sending;
    if (done >= total) return 0;
    if (done <= 0 || elapsedMs < 500) return undefined;
    return (elapsedMs * (total - done)) / done;
  }
  if (p.totalBytes <= 0 || p.bytesRead <= 0 || p.elapsedMs < 500) return undefined;
  const done = Math.min(1, p.bytesRead / p.totalBytes);
  return (p.elapsedMs * (1 - done)) / done;
}

/** One status line; `width` cuts it to the terminal so a redraw never wraps. */
export function formatProgress(p: ProgressSnapshot, width = 120): string {
  const rate = p.elapsedMs > 0 ? (p.read * 1000) / p.elapsedMs : 0;
  const parts = [
    `read ${n(p.read)}`,
    ...PROGRESS_KINDS.flatMap((k) => (p[k.name] !== undefined ? [`${k.label} ${n(p[k.name] ?? 0)}`] : [])),
    `imported ${n(p.imported)}`,
    `rejected ${n(p.rejected)}`,
    `${n(rate)} records/s`,
    `${p.batchesInFlight} in flight`,
  ];
  const eta = etaMs(p);
  const etaText = eta !== undefined ? `ETA ${formatDuration(eta)}` : 'ETA …';
  if (p.sending !== undefined) {
    const pct = p.sending.total > 0 ? Math.min(100, (p.sending.done * 100) / p.sending.total) : 100;
    parts.push(`sending ${n(p.sending.done)} of ${n(p.sending.total)} changes ${pct.toFixed(0)}%`, etaText);
  } else if (p.totalBytes > 0) {
    const pct = Math.min(100, (p.bytesRead * 100) / p.totalBytes);
    parts.push(`${pct.toFixed(0)}%`, etaText);
  }
  parts.push(formatDuration(p.elapsedMs));
  const line = parts.join(' · ');
  return line.length > width ? line.slice(0, Math.max(0, width - 1)) + '…' : line;
}
