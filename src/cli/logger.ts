import type { RunEvent } from '../run/run-pipeline.js';

export type LogFormat = 'json' | 'pretty';

/**
 * Run events as log lines on stderr (stdout stays for the summary): JSON lines for schedulers,
 * short text for people. Events carry counts and provenance, never record content or secrets.
 */
export function createRunLogger(format: LogFormat, quiet: boolean, write: (s: string) => void = (s) => process.stderr.write(s)): (e: RunEvent) => void {
  let runId = '';
  return (e) => {
    if (e.type === 'start') runId = e.runId;
    if (format === 'json') {
      const base = { time: new Date().toISOString(), runId };
      if (e.type === 'start') write(JSON.stringify({ ...base, msg: 'run start', pipeline: e.pipeline, attempt: e.attempt, target: e.target, outDir: e.outDir }) + '\n');
      else if (e.type === 'end') write(JSON.stringify({ ...base, msg: 'run end', status: e.summary.status, exitCode: e.summary.exitCode, counts: e.summary.counts, error: e.summary.error }) + '\n');
      else if (e.event.type === 'retry') write(JSON.stringify({ ...base, msg: 'retry', ...e.event }) + '\n');
      return;
    }
    if (quiet) return;
    if (e.type === 'start') write(`${e.attempt > 1 ? 'resuming' : 'starting'} ${e.pipeline} (run ${runId}${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})\n`);
    else if (e.type === 'send' && e.event.type === 'retry') write(`retry ${e.event.attempt} of batch ${e.event.batch} in ${e.event.delayMs} ms: ${e.event.reason}\n`);
  };
}
