import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Batch, Outcome, RejectEvent, ResultEvent } from '../../core/record.js';
import { PrivateFile, ownFolder } from '../../core/private-file.js';
import { requestBody, type RequestEnvelope } from './request-body.js';
import type { ResourceInfo } from '../../core/resource.js';
import { sentKey } from './api-answer.js';

/**
 * Stands in for the sender in a rehearsal: each batch is written as the exact request body it
 * would have been (`batches/000001.json`), and each item gets a result line with action
 * `dry-run`, so the run's files look like a real run's without touching the API.
 */
export function createDryRunStream(dir: string, envelope: RequestEnvelope, lookupKey: ResourceInfo['lookupKey']): Transform {
  let made: Promise<unknown> | undefined;
  return new Transform({
    objectMode: true,
    transform(ev: Batch | RejectEvent, _enc, cb) {
      if (ev.kind === 'reject') return cb(null, ev);
      made ??= ownFolder(dir);
      write(ev).then(() => {
        for (const r of ev.records) {
          const out: ResultEvent = {
            kind: 'result',
            prov: r.prov,
            key: sentKey(r.item, lookupKey) ?? r.key,
            action: 'dry-run',
            id: null,
            success: true,
            batch: ev.seq,
          };
          this.push(out satisfies Outcome);
        }
        cb();
      }, cb);
    },
  });

  async function write(batch: Batch): Promise<void> {
    await made;
    const f = await PrivateFile.open(join(dir, `${String(batch.seq).padStart(6, '0')}.json`), 'w');
    try {
      await f.write(requestBody(envelope, batch.items));
    } finally {
      await f.close();
    }
  }
}
