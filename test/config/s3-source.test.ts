import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/index.js';
import { tempFiles } from '../support/files.js';
import { configError } from './helpers.js';

const write = tempFiles('propel-etl-config-s3-');

function pipeline(source: string): string {
  return `name: t\nresource: users\nsource:\n${source}mapping:\n  sourceId: { from: id }\n`;
}

describe('s3:// sources in a pipeline', () => {
  it('takes source.s3 with an https endpoint, a region and path style', async () => {
    const file = write(
      'ok.yaml',
      pipeline(
        '  path: s3://exports/users/part-*.csv.gz\n  s3: { endpoint: "https://acc.r2.cloudflarestorage.com", region: auto, forcePathStyle: false }\n',
      ),
    );
    expect((await loadPipeline(file)).source).toEqual({
      path: 's3://exports/users/part-*.csv.gz',
      s3: { endpoint: 'https://acc.r2.cloudflarestorage.com', region: 'auto', forcePathStyle: false },
    });
  });

  it('refuses a plain http endpoint off loopback, naming the key and its line', async () => {
    const file = write('http.yaml', pipeline('  path: s3://exports/u.csv\n  s3:\n    endpoint: http://minio.internal:9000\n'));
    const error = await configError(loadPipeline(file));
    expect([error.describe(), error.context.key]).toEqual([
      `${file}, line 6: source.s3.endpoint must use https (plain http only to localhost/127.0.0.1); got http://minio.internal:9000`,
      'source.s3.endpoint',
    ]);
  });

  it('takes http on loopback (MinIO on this machine)', async () => {
    const file = write('local.yaml', pipeline('  path: s3://exports/u.csv\n  s3: { endpoint: "http://127.0.0.1:9000" }\n'));
    expect((await loadPipeline(file)).source.s3).toEqual({ endpoint: 'http://127.0.0.1:9000' });
  });

  it('refuses source.s3 for a local path, a URL without a key, and a bucket name S3 would not take', async () => {
    const local = await configError(loadPipeline(write('local-path.yaml', pipeline('  path: users.csv\n  s3: { region: eu-west-1 }\n'))));
    expect([local.message, local.context.line]).toEqual(['source.s3 is only for an s3:// source.path', 5]);
    const folder = await configError(loadPipeline(write('folder.yaml', pipeline('  path: s3://exports/users/\n'))));
    expect([folder.message, folder.context.line]).toEqual([
      'name an object or a glob of objects after the bucket (s3://bucket/folder/part-*.csv.gz), not a folder',
      4,
    ]);
    const bucket = await configError(loadPipeline(write('bucket.yaml', pipeline('  path: s3://Exports_2026/u.csv\n'))));
    expect(bucket.message).toBe(
      '"Exports_2026" is not a bucket name (s3://bucket/key; 3 to 63 lower-case letters, digits, dots and hyphens)',
    );
  });
});
