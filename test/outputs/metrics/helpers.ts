/**
 * The real Pushgateway (Debian's prometheus-pushgateway, installed by pretest) on 127.0.0.1 with
 * a free port and its own storage, and a reader for the samples of a text-format exposition.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../support/files.js';

export const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';

export interface RunningPushgateway {
  readonly url: string;
  /** The gateway's whole exposition (`GET /metrics`). */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPushgateway(): Promise<RunningPushgateway> {
  const dir = await tempDir('pushgateway-');
  const child = spawn(PUSHGATEWAY, ['--web.listen-address=127.0.0.1:0', `--persistence.file=${join(dir, 'metrics.store')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      // ts=… level=info msg="Listening on" address=127.0.0.1:41234
      const m = /msg="Listening on" address=(127\.0\.0\.1:\d+)/.exec(log);
      if (m !== null) resolve(`http://${m[1]!}`);
    });
    child.on('error', reject);
    void exited.then(() => reject(new Error(`the pushgateway exited: ${log}`)));
  });
  return {
    url,
    async metrics() {
      const res = await fetch(`${url}/metrics`);
      return res.text();
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The value of the sample `name{labels…}` (the given labels must all be there, others may be),
 * or undefined. Only for the simple label values these tests use.
 */
export function sample(exposition: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="([^"]*)"/g)].map((p) => [p[1]!, p[2]!]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}
