import { readFile } from 'node:fs/promises';
import { METRIC, type LastSuccess } from './metrics-registry.js';

const SAMPLE = new RegExp(`^${METRIC.lastSuccess}\\{(.*)\\}\\s+(\\S+)\\s*$`);
// A label pair as the text format escapes it: \\, \" and \n inside the quotes.
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

/**
 * The last successes a metrics file we wrote earlier holds, so that rewriting it after a failed
 * run keeps them (an alert on their age must keep firing, not see the series vanish). Only this
 * one metric of our own output is read back; a missing or foreign file holds none.
 */
export async function readLastSuccesses(path: string): Promise<LastSuccess[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const found: LastSuccess[] = [];
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (m === null) continue;
    const labels = parseLabels(m[1] ?? '');
    const seconds = Number(m[2]);
    if (labels?.pipeline === undefined || labels.target === undefined || !Number.isFinite(seconds)) continue;
    found.push({ pipeline: labels.pipeline, target: labels.target, seconds });
  }
  return found;
}

function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (m === null || LABEL.lastIndex === start) return undefined;
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}
