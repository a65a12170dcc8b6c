// Peak RSS of reading one 200 MB object from S3 (s3rver on loopback) against the same file read
// locally: `propel-etl validate` (read, map and validate every record; nothing sent) in a child
// process per source, measured with bench/rss-report.mjs. Run after `npm run build`:
//   node bench/s3-rss.mjs [--mb 200]
// The CSV is made once into bench/out/data/; s3rver keeps its copy in a temp folder removed at the end.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const mbArg = process.argv.indexOf('--mb');
const mb = mbArg === -1 ? 200 : Number(process.argv[mbArg + 1]);
const dataDir = join(root, 'bench/out/data');
mkdirSync(dataDir, { recursive: true });
const csv = join(dataDir, `users-${mb}mb.csv`);

async function makeCsv() {
  if (existsSync(csv)) return;
  const out = createWriteStream(`${csv}.tmp`);
  const pad = 'x'.repeat(120);
  out.write('id,first,last,email,notes\n');
  for (let i = 0, bytes = 0; bytes < mb * 1024 * 1024; i++) {
    const line = `U${i},First${i},Last${i},u${i}@example.com,${pad}\n`;
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const { renameSync } = await import('node:fs');
  renameSync(`${csv}.tmp`, csv);
}

async function startS3rver(dir) {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', join(root, 'test/support/s3rver-process.mjs'), dir, 'bench'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { child, port: JSON.parse(line).port };
}

function pipelineFile(dir, name, path) {
  const file = join(dir, `${name}.json`);
  const mapping = {
    source: { value: 'ERP' },
    sourceId: 'id',
    language: { value: 'NL' },
    firstName: 'first',
    lastName: 'last',
    email: 'email',
  };
  writeFileSync(file, JSON.stringify({ name, resource: 'users', source: { path }, mapping, batch: { size: 500 } }));
  return file;
}

async function measure(label, dir, pipeline, env) {
  const rssFile = join(dir, `${label}.rss.json`);
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(root, 'bench/rss-report.mjs'),
      join(root, 'dist/cli/main.js'),
      'validate',
      pipeline,
      '--out',
      join(dir, `out-${label}`),
      '--quiet',
    ],
    {
      cwd: dir,
      env: { PATH: process.env.PATH, BENCH_RSS_FILE: rssFile, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const [code] = await once(child, 'exit');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { maxRssBytes, cpuMs } = JSON.parse(readFileSync(rssFile, 'utf8'));
  const summary = JSON.parse(readFileSync(join(dir, `out-${label}`, 'summary.json'), 'utf8'));
  return {
    label,
    code,
    records: summary.counts.read,
    peakRssMb: Math.round(maxRssBytes / 1048576),
    cpuS: +(cpuMs / 1000).toFixed(1),
    wallS: +seconds.toFixed(1),
  };
}

await makeCsv();
const size = statSync(csv).size;
const work = mkdtempSync(join(tmpdir(), 'propel-bench-s3-'));
const { child, port } = await startS3rver(join(work, 's3rver'));
try {
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  // WHEN_REQUIRED: no aws-chunked upload, whose framing s3rver would store as part of the object.
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'users.csv', Body: createReadStream(csv), ContentLength: size }));
  client.destroy();
  const env = {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  };
  const rows = [];
  // Local first, then S3, then local again: a drift of the machine shows as a gap between the two local runs.
  rows.push(await measure('local', work, pipelineFile(work, 'local', csv), {}));
  rows.push(await measure('s3', work, pipelineFile(work, 's3', 's3://bench/users.csv'), env));
  rows.push(await measure('local-again', work, pipelineFile(work, 'local-again', csv), {}));
  console.log(
    `# ${new Date().toISOString()} · ${cpus()[0]?.model} × ${cpus().length} · ${Math.round(totalmem() / 2 ** 30)} GB · Node ${process.version} · load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`# object ${(size / 1048576).toFixed(0)} MB (${csv})`);
  console.table(rows);
} finally {
  child.kill('SIGTERM');
  await once(child, 'exit');
  rmSync(work, { recursive: true, force: true });
}
