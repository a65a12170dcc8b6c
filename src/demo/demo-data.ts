import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

/**
 * Sample exports for the demo and the benchmarks: a usergroup tree and users under it, as an
 * ERP would hand them over (`;`-separated, Dutch column names mixed with English ones).
 * Deterministic (seeded) so runs compare; about one row in 200 is broken on purpose, each in
 * a way a real export breaks, so a demo run shows rejects at every stage.
 */

const FIRST = [
  'Anna',
  'Bram',
  'Chloé',
  'Daan',
  'Eva',
  'Finn',
  'Göran',
  'Hanna',
  'Isa',
  'Jesús',
  'Kees',
  'Lotte',
  'Mila',
  'Noah',
  'Øystein',
  'Pieter',
  'Renée',
  'Sem',
  'Tess',
  'Zoë',
];
const LAST = [
  'de Vries',
  'Jansen',
  'van den Berg',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  "O'Neill",
  'Müller',
  'Dijkstra',
];
const CITIES = ['Amsterdam', 'Rotterdam', 'Utrecht', 'Den Haag', 'Eindhoven', 'Groningen', 'Zwolle', 'Maastricht'];
const TIERS = ['gold', 'silver', 'bronze', ''];

export const DEMO_USERS_HEADER =
  'customer_no;first_name;last_name;email;dob;sex;phone;company;group_id;tier;street;house_no;zip;city;country';
export const DEMO_GROUP_COUNT = 20;

/** A small fast PRNG (mulberry32): the same seed gives the same file on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** One CSV row of the demo users file; `i` is 1-based; `version` > 0: the row as a later export changed it (its phone number). */
export function demoUserRow(i: number, r: () => number, version = 0): string {
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  let dob = `${pad(1 + Math.floor(r() * 28), 2)}-${pad(1 + Math.floor(r() * 12), 2)}-${1950 + Math.floor(r() * 55)}`;
  // Padded and mixed-case, as exports are: the pipeline trims and lower-cases it.
  let email = `  ${first}.${last.replace(/[ ']/g, '')}.${i}@Example.com `;
  let country = 'NL';
  let customerNo = `C${pad(i, 7)}`;
  let groupId = String(1 + (i % DEMO_GROUP_COUNT));
  const sex = pick(r, ['man', 'vrouw', 'man', 'vrouw', 'x']);
  // Each kind of breakage a warehouse export really has, at a low and fixed rate.
  switch (i % 1000) {
    case 137:
      dob = '31-02-1980';
      break; // no such date: rejected while mapping
    case 411:
      country = 'Netherlands';
      break; // not ISO 3166 alpha-2: rejected by validation
    case 613:
      customerNo = '';
      break; // no sourceId: rejected by validation
    case 877:
      groupId = '999';
      break; // a parent Propel does not have: refused by the API
    case 950:
      email = `${first};${i}@example.com`;
      break; // a field holding the delimiter, so quoted
  }
  const street = `${pick(r, ['Kerkstraat', 'Dorpsweg', 'Stationsplein', 'Molenlaan'])}`;
  const company = i % 7 === 0 ? `${last} & Zonen; "B.V."` : '';
  const drawn = Math.floor(r() * 1e8);
  // Drawn either way, so a changed row leaves every other row as it was.
  const phone = version === 0 ? drawn : (drawn + version * 104_729) % 1e8;
  const fields = [
    customerNo,
    first,
    last,
    email,
    dob,
    sex,
    `+31 6 ${pad(phone, 8)}`,
    company,
    groupId,
    pick(r, TIERS),
    street,
    String(1 + Math.floor(r() * 200)),
    `${1000 + Math.floor(r() * 8999)} AB`,
    pick(r, CITIES),
    country,
  ];
  return fields.map((f) => (f.includes(';') || f.includes('"') ? `"${f.replace(/"/g, '""')}"` : f)).join(';');
}

/** Rows a night's export changes: this many per revision. */
export const DEMO_CHANGES_PER_REVISION = 300;

/**
 * Which rows revisions 1..`revision` changed, and in which revision last: the demo's nightly
 * export, revision n being the n-th night after the first. Seeded by the revision number, so each
 * night changes the same rows on every machine.
 */
export function demoRevisions(count: number, revision: number, changes = DEMO_CHANGES_PER_REVISION): Map<number, number> {
  const last = new Map<number, number>();
  for (let v = 1; v <= revision; v++) {
    const r = prng(1_000_003 * v);
    for (let k = 0; k < Math.min(changes, count); k++) last.set(1 + Math.floor(r() * count), v);
  }
  return last;
}

/**
 * Writes `count` users as CSV, awaiting drain, so memory stays flat for any count. `revision` > 0
 * writes the export as it is that many nights later: a few hundred rows changed per night.
 */
export async function writeDemoUsers(
  path: string,
  count: number,
  seed = 42,
  revision = 0,
  changes = DEMO_CHANGES_PER_REVISION,
): Promise<void> {
  const out = createWriteStream(path);
  const r = prng(seed);
  const versions = demoRevisions(count, revision, changes);
  let chunk = DEMO_USERS_HEADER + '\r\n';
  for (let i = 1; i <= count; i++) {
    chunk += demoUserRow(i, r, versions.get(i) ?? 0) + '\r\n';
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

/** The usergroups the demo users hang under: one root company and its branches. */
export async function writeDemoUsergroups(path: string): Promise<void> {
  const lines = ['id,name,parent_id,company'];
  lines.push('1,Demo Holding,,Demo Holding B.V.');
  for (let i = 2; i <= DEMO_GROUP_COUNT; i++) lines.push(`${i},Branch ${CITIES[i % CITIES.length]} ${i},1,Demo Holding B.V.`);
  const out = createWriteStream(path);
  out.end(lines.join('\n') + '\n');
  await finished(out);
}
