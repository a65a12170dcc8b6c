/** Small inline-SVG charts for report.html: no script, no network, readable in any browser. */

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color?: string;
}

const W = 640;
const H = 220;
const PAD = { left: 56, right: 16, top: 16, bottom: 36 };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A round axis maximum (1, 2 or 5 times a power of ten) so gridlines land on readable numbers. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

const fmt = (v: number): string =>
  Math.abs(v) >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) : String(Math.round(v * 10) / 10);

function grid(yMax: number, yLabel: string): string {
  const ih = H - PAD.top - PAD.bottom;
  let out = '';
  for (let i = 0; i <= 4; i++) {
    const y = PAD.top + ih - (ih * i) / 4;
    out += `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/>`;
    out += `<text class="tick" x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${fmt((yMax * i) / 4)}</text>`;
  }
  out += `<text class="axis" x="12" y="${PAD.top + ih / 2}" transform="rotate(-90 12 ${PAD.top + ih / 2})" text-anchor="middle">${escapeHtml(yLabel)}</text>`;
  return out;
}

export function lineChart(id: string, title: string, series: readonly Series[], xLabel: string, yLabel: string): string {
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1e-9, ...all.map((p) => p[0]));
  const yMax = niceMax(Math.max(0, ...all.map((p) => p[1])));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (v: number): number => PAD.left + (iw * v) / xMax;
  const y = (v: number): number => PAD.top + ih - (ih * v) / yMax;
  let body = grid(yMax, yLabel);
  body += `<text class="tick" x="${PAD.left}" y="${H - PAD.bottom + 16}">0</text><text class="tick" x="${W - PAD.right}" y="${H - PAD.bottom + 16}" text-anchor="end">${fmt(xMax)}</text>`;
  body += `<text class="axis" x="${PAD.left + iw / 2}" y="${H - 4}" text-anchor="middle">${escapeHtml(xLabel)}</text>`;
  for (const s of series) {
    if (s.points.length === 0) continue;
    const pts = s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ');
    body += `<polyline class="series" data-series="${escapeHtml(s.name)}" fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"><title>${escapeHtml(s.name)}</title></polyline>`;
  }
  const legend = series.map((s) => `<span class="key"><i style="background:${s.color}"></i>${escapeHtml(s.name)}</span>`).join('');
  return `<figure id="${id}"><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${body}</svg><div class="legend">${legend}</div></figure>`;
}

export function barChart(id: string, title: string, bars: readonly Bar[], yLabel: string): string {
  const yMax = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const slot = iw / Math.max(1, bars.length);
  let body = grid(yMax, yLabel);
  bars.forEach((b, i) => {
    const h = (ih * b.value) / yMax;
    const bx = PAD.left + i * slot + slot * 0.15;
    body += `<rect class="bar" x="${bx.toFixed(1)}" y="${(PAD.top + ih - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${b.color ?? '#4c78a8'}"><title>${escapeHtml(b.label)}: ${fmt(b.value)}</title></rect>`;
    body += `<text class="tick" x="${(PAD.left + i * slot + slot / 2).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(b.label)}</text>`;
  });
  return `<figure id="${id}"><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${body}</svg></figure>`;
}
