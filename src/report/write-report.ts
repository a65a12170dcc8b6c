import { join } from 'node:path';
import type { RunSummary } from '../run/summary.js';
import { PrivateFile } from '../sink/private-file.js';
import { readRejectGroups, type RejectGroupsResult } from './reject-groups.js';
import { renderReport } from './render-report.js';
import type { RunRecorder } from './run-recorder.js';

export const REPORT_FILE = 'report.html';

/**
 * The end of a run: groups the run folder's rejects and writes report.html (mode 0600: it
 * quotes rejected values). Returns the groups for the text summary.
 */
export async function finishReport(outDir: string, summary: RunSummary, recorder: RunRecorder): Promise<RejectGroupsResult> {
  recorder.stop();
  const rejects = await readRejectGroups(join(outDir, 'rejects.ndjson'));
  const f = await PrivateFile.open(join(outDir, REPORT_FILE), 'w');
  try {
    await f.write(renderReport({ summary, recorded: recorder.recorded(), rejects }));
  } finally {
    await f.close();
  }
  return rejects;
}
