// The README's first command ends here: make the sample exports, then import them into the
// demo's emulator with the nightly demo job (usergroups, then users). The emulator keeps its
// store in data/demo-emulator.json and the pipelines have `delta:`, so a second `npm run demo`
// is the next night: the export changes a few hundred rows, and only those are sent.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { writeDemoUsers, writeDemoUsergroups, DEMO_CHANGES_PER_REVISION } from '../dist/demo/demo-data.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const count = Number(process.env.DEMO_USERS ?? 100_000);
mkdirSync(join(root, 'data'), { recursive: true });
const users = join(root, 'data', 'demo-users.csv');
const groups = join(root, 'data', 'demo-usergroups.csv');
const store = join(root, 'data', 'demo-emulator.json');
const counter = join(root, 'data', 'demo-night.json');
// Night 0 is the first run (or the first after the emulator's store was removed); each run after it is a night later.
const last = existsSync(counter) && existsSync(store) ? JSON.parse(readFileSync(counter, 'utf8')) : undefined;
const night = last !== undefined && last.users === count ? last.night + 1 : 0;
process.stdout.write(
  night === 0
    ? `generating ${count.toLocaleString('en-US')} sample users in data/demo-users.csv (the first night: everything is sent)\n`
    : `night ${night}: data/demo-users.csv with about ${DEMO_CHANGES_PER_REVISION} rows changed since the last run (only those are sent)\n`,
);
await writeDemoUsers(users, count, 42, night);
if (!existsSync(groups)) await writeDemoUsergroups(groups);
writeFileSync(counter, JSON.stringify({ night, users: count }) + '\n');
const r = spawnSync(
  process.execPath,
  [join(root, 'dist/cli/main.js'), 'run', 'pipelines/demo.yaml', '--target', 'demo', '--out', 'runs/demo', '--fresh'],
  { cwd: root, stdio: 'inherit' },
);
// Exit 1 means "completed, some records rejected": the sample has broken rows on purpose.
if (r.status === 1) {
  process.stdout.write(
    '\ndemo: exit code 1 is expected: the sample export has broken rows on purpose; see runs/demo/02-demo-users/rejects.ndjson\n',
  );
  if (night === 0) process.stdout.write('demo: run `npm run demo` again for the next night: only the rows that changed are sent\n');
  process.exit(0);
}
process.exit(r.status ?? 1);
