// Reference: the same import written the obvious way with the same libraries, as one might
// before thinking about speed: the library's stream parser (fast-csv, readline + JSON.parse,
// stream-json with its defaults, hyparquet's parquetReadObjects) -> a hand-written map -> Ajv with its default options ->
// batches of 500 -> undici, 4 requests in flight. It writes no results, rejects or journal,
// which only flatters it. Prints { rows, sent, ms, maxRssBytes, cpuMs } as JSON.
//   node bench/naive.mjs FORMAT FILE BASE_URL TOKEN_URL CLIENT_ID   (secret in $BENCH_SECRET)
import { createReadStream, readFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse } from 'fast-csv';
import StreamZip from 'node-stream-zip';
import { parser } from 'stream-json';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import chain from 'stream-chain';
import { Ajv } from 'ajv';
import { request } from 'undici';

const [format, file, baseUrl, tokenUrl, clientId] = process.argv.slice(2);
const schemaDir = new URL('../schemas/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, schemaDir), 'utf8'));
const ajv = new Ajv({
  allowUnionTypes: true,
  strictRequired: false,
  schemas: [load('propel-common.schema.json'), load('users.item.schema.json')],
});
const validate = ajv.getSchema('https://propel-etl.local/schemas/users.item.schema.json');

const tokenRes = await request(tokenUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: process.env.BENCH_SECRET ?? '',
  }).toString(),
});
const { access_token: token } = await tokenRes.body.json();

async function rows() {
  const csvOptions = { headers: true, delimiter: ';' };
  if (format === 'csv') return createReadStream(file).pipe(parse(csvOptions));
  if (format === 'csv-narrow') return createReadStream(file).pipe(parse({ headers: true, delimiter: ',' }));
  if (format === 'csv.gz') return createReadStream(file).pipe(createGunzip()).pipe(parse(csvOptions));
  if (format === 'zip') {
    const zip = new StreamZip.async({ file });
    return (await zip.stream('users.csv')).pipe(parse(csvOptions));
  }
  if (format === 'ndjson') {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    return Readable.from(
      (async function* () {
        for await (const line of lines) if (line !== '') yield JSON.parse(line);
      })(),
    );
  }
  if (format === 'json') {
    const items = chain([createReadStream(file), parser(), streamArray()]);
    return Readable.from(
      (async function* () {
        for await (const { value } of items) yield value;
      })(),
    );
  }
  if (format === 'parquet') {
    // hyparquet the way its README reads a file: every row group at once, rows as objects.
    const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
    const { compressors } = await import('hyparquet-compressors');
    return Readable.from(await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors }));
  }
  throw new Error(`unknown format ${format}`);
}

const clean = (s) => (s === undefined || s === '' ? undefined : s);
function dmyToIso(s) {
  const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(s);
  if (m === null) return undefined;
  const d = new Date(`${m[3]}-${m[2]}-${m[1]}T00:00:00Z`);
  return d.getUTCDate() === Number(m[1]) ? `${m[3]}-${m[2]}-${m[1]}` : undefined;
}
function map(r) {
  const item = {
    source: 'DEMO',
    sourceId: clean(r.customer_no),
    language: 'NL',
    firstName: clean(r.first_name?.trim().replace(/\s+/g, ' ')),
    lastName: clean(r.last_name?.trim().replace(/\s+/g, ' ')),
    email: clean(r.email?.trim().toLowerCase()),
    dateOfBirth: dmyToIso(r.dob),
    gender: { man: 'M', vrouw: 'F' }[r.sex] ?? 'U',
    phone: clean(r.phone?.trim()),
    company: clean(r.company?.trim().replace(/\s+/g, ' ')),
    parent: r.group_id ? { id: Number(r.group_id) } : undefined,
    attributes: r.tier ? [{ name: 'LOYALTY_TIER', type: 'text', value: r.tier.trim().toUpperCase() }] : undefined,
    addresses: [
      {
        type: 'invoice',
        street: clean(r.street),
        number: clean(r.house_no),
        postalCode: clean(r.zip),
        city: clean(r.city),
        country: clean(r.country),
      },
    ],
  };
  for (const k of Object.keys(item)) if (item[k] === undefined) delete item[k];
  return item;
}

/** The narrow CSV (`code,first,last,email,city`), mapped as bench/run.mjs's narrow pipeline does. */
function mapNarrow(r) {
  const item = {
    source: 'DEMO',
    sourceId: clean(r.code),
    language: 'NL',
    firstName: clean(r.first?.trim().replace(/\s+/g, ' ')),
    lastName: clean(r.last?.trim().replace(/\s+/g, ' ')),
    email: clean(r.email?.trim().toLowerCase()),
    attributes: r.city ? [{ name: 'CITY', type: 'text', value: r.city.trim() }] : undefined,
  };
  for (const k of Object.keys(item)) if (item[k] === undefined) delete item[k];
  return item;
}
const mapRow = format === 'csv-narrow' ? mapNarrow : map;

const started = performance.now();
let count = 0;
let sent = 0;
const inFlight = new Set();
async function send(users) {
  const res = await request(`${baseUrl}/users/bulk/sourceId`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ users }),
  });
  const body = await res.body.json();
  if (res.statusCode === 200) sent += body.data.length;
}
let batch = [];
for await (const r of await rows()) {
  count++;
  const item = mapRow(r);
  if (!validate(item)) continue;
  batch.push(item);
  if (batch.length === 500) {
    while (inFlight.size >= 4) await Promise.race(inFlight);
    const p = send(batch).finally(() => inFlight.delete(p));
    inFlight.add(p);
    batch = [];
  }
}
if (batch.length > 0) await send(batch);
await Promise.all(inFlight);
const ms = performance.now() - started;
process.stdout.write(
  JSON.stringify({
    rows: count,
    sent,
    ms,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
  }) + '\n',
);
process.exit(0);
