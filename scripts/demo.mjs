// The README's first command ends here: make the sample exports (once), then import them into
// the embedded emulator with the nightly demo job (usergroups, then users).
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { writeDemoUsers, writeDemoUsergroups } from '../dist/demo/demo-data.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const count = Number(process.env.DEMO_USERS ?? 100_000);
mkdirSync(join(root, 'data'), { recursive: true });
const users = join(root, 'data', 'demo-users.csv');
const groups = join(root, 'data', 'demo-usergroups.csv');
if (!existsSync(users) || process.env.DEMO_USERS !== undefined) {
  process.stdout.write(`generating ${count.toLocaleString('en-US')} sample users in data/demo-users.csv\n`);
  await writeDemoUsers(users, count);
}
if (!existsSync(groups)) await writeDemoUsergroups(groups);
const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'run', 'pipelines/demo.yaml', '--target', 'local', '--out', 'runs/demo', '--fresh'], { cwd: root, stdio: 'inherit' });
// Exit 1 means "completed, some records rejected": the sample has broken rows on purpose.
if (r.status === 1) {
  process.stdout.write('\ndemo: exit code 1 is expected: the sample export has broken rows on purpose; see runs/demo/02-demo-users/rejects.ndjson\n');
  process.exit(0);
}
process.exit(r.status ?? 1);
