// A fuzzed export for comparing two builds' outputs byte for byte: the demo users' columns (and
// one unmapped), seeded, with quotes, doubled quotes, `;` and line breaks inside quoted fields,
// CRLF rows, unicode (é, €, emoji, U+2028), backslashes, tabs, control characters, empty fields,
// rows a field short or long (read rejects), and values the mapping refuses (dates, integers,
// map tables) or the schema does (missing address fields).
//   node bench/fuzz-csv.mjs [ROWS] [SEED] > users.csv
// Then run the demo users mapping over it with each build and compare the folders:
//   sed 's#path: ../data/demo-users.csv#path: /tmp/users.csv#; s#maxRejects: 2%#maxRejects: 100%#; /^delta:/d' \
//     pipelines/demo-users.yaml > /tmp/fuzz.yaml
//   node dist/cli/main.js run /tmp/fuzz.yaml --target local --dry-run --fresh --quiet --out /tmp/fuzz-out
//   (batches/, rejects.ndjson and summary.json, without its times and run id, must be the same)
const rows = Number(process.argv[2] ?? 5000);
let seed = Number(process.argv[3] ?? 7);
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (list) => list[Math.floor(rand() * list.length)];
const COLUMNS = [
  'customer_no',
  'first_name',
  'last_name',
  'email',
  'dob',
  'sex',
  'phone',
  'company',
  'group_id',
  'tier',
  'street',
  'house_no',
  'zip',
  'city',
  'country',
  'note',
];
const PIECES = [
  '',
  ' ',
  'Ann',
  'de  Vries',
  '"',
  '""',
  ';',
  '\n',
  '\r\n',
  'é',
  '😀',
  '\u2028',
  '\\',
  '\t',
  'x',
  'ß',
  '€',
  '  ',
  "O'Brien",
  '\u0001',
];
// Valid most of the time (the first two), otherwise something the mapping or the schema refuses.
const CHOICES = {
  dob: ['01-02-1990', '31-12-1999', '', '1990-01-01', '29-02-2001'],
  sex: ['man', 'vrouw', '', 'x'],
  group_id: ['1', '2', '', 'abc', '3.5'],
  zip: ['1234AB', '9999 zz', '', ' x'],
  country: ['NL', 'be', '', 'N L'],
  house_no: ['1', '12a', '', 'x'],
};
function field(column) {
  const choices = CHOICES[column];
  if (choices !== undefined) return rand() < 0.95 ? choices[rand() < 0.5 ? 0 : 1] : pick(choices);
  if (column === 'email') return rand() < 0.9 ? `a${Math.floor(rand() * 1e6)}@x.nl` : pick(['', ' A@X.NL ', 'bad']);
  let text = rand() < 0.9 ? 'Ab' : '';
  for (let k = Math.floor(rand() * 4); k > 0; k--) text += pick(PIECES);
  return text;
}
const quoted = (v) => (/[";\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
let out = `${COLUMNS.join(';')}\n`;
for (let i = 0; i < rows; i++) {
  const r = rand();
  const width = COLUMNS.length + (r < 0.02 ? -1 : r < 0.03 ? 1 : 0);
  const row = [];
  // Keys repeat (4,000 of them), so batches also close on a key already in them.
  for (let k = 0; k < width; k++) row.push(k === 0 && rand() < 0.9 ? `C${i % 4000}` : field(COLUMNS[k] ?? 'note'));
  out += row.map(quoted).join(';') + (rand() < 0.1 ? '\r\n' : '\n');
}
process.stdout.write(out);
