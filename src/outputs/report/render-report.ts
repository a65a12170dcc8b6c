import type { RunSummary } from '../../outcomes/summary.js';
import { OUTCOME_KINDS, STAGES } from '../../outcomes/index.js';
import type { RecordedRun } from './run-recorder.js';
import type { RejectGroupsResult } from '../../outcomes/reject-groups.js';
import { barChart, escapeHtml, lineChart, type Series } from './svg-chart.js';

export interface ReportInput {
  readonly summary: RunSummary;
  readonly recorded: RecordedRun;
  readonly rejects: RejectGroupsResult;
}

const STAGE_COLORS = { read: '#e45756', map: '#f58518', validate: '#b279a2', api: '#9d755d' } as const;
const n = (x: number): string => x.toLocaleString('en-US');

/** Rates between consecutive cumulative samples: the throughput line. */
export function ratePoints(samples: RecordedRun['samples'], pick: (s: RecordedRun['samples'][number]) => number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = b.t - a.t;
    if (dt > 0) out.push([b.t, Math.max(0, (pick(b) - pick(a)) / dt)]);
  }
  return out;
}

function table(id: string, head: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<p id="${id}" class="empty">${escapeHtml(empty)}</p>`;
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table id="${id}"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555}.status-completed{color:#2a7a2a}.status-aborted{color:#b00020}.status-interrupted{color:#b36b00}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}.tile{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:96px}
.tile b{display:block;font-size:18px}.tile span{color:#666;font-size:12px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}
td:nth-child(2){font-variant-numeric:tabular-nums}th{background:#f6f6f6}
figure{margin:8px 0}figcaption{font-weight:600;margin-bottom:4px}svg{width:100%;max-width:640px;height:auto;display:block}
.grid{stroke:#eee}.tick,.axis{font-size:11px;fill:#666}.legend{font-size:12px;color:#444}.key{margin-right:14px}
.key i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}.empty{color:#777;font-style:italic}
.row{display:flex;flex-wrap:wrap;gap:24px}.row>*{flex:1 1 420px}code{font-size:12px}
`;

/** report.html: one self-contained page (inline CSS and SVG, no script, no external resource). */
export function renderReport({ summary: s, recorded: r, rejects }: ReportInput): string {
  const c = s.counts;
  const secs = (s.durations.totalMs / 1000).toFixed(1);
  const tile = (label: string, value: string): string =>
    `<div class="tile"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
  const tiles = [
    tile('read', n(c.read)),
    ...OUTCOME_KINDS.flatMap((k) => {
      const v = c[k.name];
      // Delta kinds whenever the pipeline counts them (a dry run compares too); the API's only when it was asked.
      return v !== undefined && (k.delta === true || s.mode === 'run') ? [tile(k.label, n(v))] : [];
    }),
    tile('rejected', n(c.rejected.total)),
    tile('records/s', n(s.rate.recordsPerSec)),
    tile('duration', `${secs} s`),
    ...(s.mode === 'run' ? [tile('requests', n(s.requests)), tile('retries', n(s.retries))] : []),
  ].join('');

  const throughput: Series[] = [
    { name: 'read /s', color: '#4c78a8', points: ratePoints(r.samples, (x) => x.read) },
    { name: s.mode === 'run' ? 'imported /s' : 'batched /s', color: '#54a24b', points: ratePoints(r.samples, (x) => x.imported) },
    { name: 'rejected /s', color: '#e45756', points: ratePoints(r.samples, (x) => x.rejected) },
  ];
  const stageBars = STAGES.map((st) => ({ label: st, value: c.rejected[st], color: STAGE_COLORS[st] }));
  const reasonRows = rejects.groups
    .slice(0, 50)
    .map((g) => [
      g.stage,
      n(g.count),
      g.shape,
      `${g.example.file}${g.example.entry !== undefined ? `!${g.example.entry}` : ''}:${g.example.line}`,
      g.example.reason,
    ]);
  if (rejects.other > 0) reasonRows.push(['', n(rejects.other), '(other kinds)', '', '']);
  const L = r.latency;
  const latencyBars = L.bucketsMs
    .map((b, i) => ({ label: `≤${b >= 1000 ? `${b / 1000}s` : `${b}ms`}`, value: L.counts[i] ?? 0 }))
    .concat([{ label: `>${L.bucketsMs.at(-1)! / 1000}s`, value: L.counts.at(-1) ?? 0 }]);
  const latencyOverTime: Series[] = [
    { name: 'mean ms', color: '#4c78a8', points: r.samples.filter((x) => x.requests > 0).map((x) => [x.t, x.meanMs] as [number, number]) },
    {
      name: 'slowest ms',
      color: '#f58518',
      points: r.samples.filter((x) => x.requests > 0).map((x) => [x.t, x.maxMs] as [number, number]),
    },
  ];
  const retryBars = r.samples.slice(1).map((x) => ({ label: '', value: x.retries, color: '#b36b00' }));

  const sendSection =
    s.mode !== 'run'
      ? `<h2>Requests</h2><p class="empty">A ${s.mode === 'dry-run' ? 'rehearsal (--dry-run)' : 'validation'}: nothing was sent.</p>`
      : `
<h2>Retries</h2>
<p>${n(r.retries.total)} retries over ${n(L.requests)} requests.</p>
<div class="row">${barChart('retries-chart', 'Retries over time', retryBars.length > 0 ? retryBars : [{ label: '', value: 0 }], 'retries')}
${table(
  'retry-reasons',
  ['reason', 'count'],
  r.retries.byReason.map((x) => [x.reason, n(x.count)]),
  'No retries.',
)}</div>
<h2>Latency</h2>
<p>mean ${n(L.meanMs)} ms, slowest ${n(L.maxMs)} ms; by HTTP status: ${
          Object.entries(L.byStatus)
            .map(([st, k]) => `${st === '0' ? 'no answer' : st} × ${n(k)}`)
            .join(', ') || 'none'
        }</p>
<div class="row">${barChart('latency-histogram', 'Request latency', latencyBars, 'requests')}
${lineChart('latency-chart', 'Latency over time', latencyOverTime, 'seconds since start', 'ms')}</div>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(s.pipeline)}: run report</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(s.pipeline)} <span class="status-${s.status}">${escapeHtml(s.status)}</span></h1>
<p class="meta">${escapeHtml(s.resource)}${s.target !== null ? ` → ${escapeHtml(s.target)}` : ''}, ${escapeHtml(s.mode)}, exit ${s.exitCode}, attempt ${s.attempt} · run ${escapeHtml(s.runId)} · ${escapeHtml(s.startedAt)} – ${escapeHtml(s.endedAt)}</p>
${s.error !== undefined ? `<p class="status-aborted">Stopped by: ${escapeHtml(s.error.message)} [${escapeHtml(s.error.code)}]</p>` : ''}
${s.warnings.length > 0 ? `<h2>Warnings</h2><ul id="warnings">${s.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>` : ''}
<div class="tiles">${tiles}</div>
<h2>Throughput</h2>
${lineChart('throughput-chart', 'Records per second', throughput, 'seconds since start', 'records/s')}
<h2>Rejects</h2>
<div class="row">${barChart('rejects-by-stage', 'Rejects by stage', stageBars, 'records')}</div>
${table('reject-reasons', ['stage', 'count', 'reason', 'first example', 'its reason'], reasonRows, 'No rejects.')}
${rejects.truncated ? `<p class="empty">Grouped from the first ${n(rejects.counted)} rejects; see rejects.ndjson for all.</p>` : ''}
${sendSection}
<p class="meta">Details per record: results.ndjson and rejects.ndjson in this folder.</p>
</body></html>
`;
}
