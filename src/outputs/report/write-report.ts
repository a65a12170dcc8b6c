import { join } from 'node:path';
import type { RunSummary } from '../../outcomes/summary.js';
import { PrivateFile } from '../../core/private-file.js';
import type { RejectGroupsResult } from '../../outcomes/reject-groups.js';
import type { RunRecorder } from './run-recorder.js';

export const REPORT_FILE = 'report.html';

/** The end of a run, once the recorder has stopped: writes report.html (mode 0600: it quotes rejected values). */
export async function writeReport(outDir: string, summary: RunSummary, recorder: RunRecorder, rejects: RejectGroupsResult): Promise<void> {
  // Imported at the end of a run, not at its start: the page's templates and charts are not needed while records flow.
  const { renderReport } = await import('./render-report.js');
  const f = await PrivateFile.open(join(outDir, REPORT_FILE), 'w');
  try {
    await f.write(renderReport({ summary, recorded: recorder.recorded(), rejects }));
  } finally {
    await f.close();
  }
}
