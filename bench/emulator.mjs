// The bench's emulator, in a process of its own so its CPU is not charged to the pipeline.
// Prints one JSON line on stdout ({ origin, baseUrl, tokenUrl, clientId, clientSecret }) once it
// listens, seeds the demo's usergroup tree (the users' parents), and runs until SIGTERM/SIGINT.
//   node bench/emulator.mjs [--latency MS] [--capacity K]
// Commands on stdin, one per line, each answered with one JSON line: `reset` (empty store and
// log, parents seeded again), `stats` (requests received, how many were answered 429, RSS, and
// the process's CPU time so far).
import { parseArgs } from 'node:util';
import { startEmulator } from '../dist/emulator/index.js';
import { DEMO_GROUP_COUNT } from '../dist/demo/demo-data.js';

const { values } = parseArgs({ options: { latency: { type: 'string' }, capacity: { type: 'string' } } });
const faults = {
  ...(values.latency !== undefined ? { latencyMs: Number(values.latency) } : {}),
  ...(values.capacity !== undefined ? { capacity: Number(values.capacity) } : {}),
};
const emu = await startEmulator({ faults, logLimit: 100 });

function seed() {
  emu.store.seedUsergroup({ id: 1, name: [{ language: 'NL', value: 'Demo Holding' }] });
  for (let i = 2; i <= DEMO_GROUP_COUNT; i++)
    emu.store.seedUsergroup({ id: i, name: [{ language: 'NL', value: `Branch ${i}` }], parent: { id: 1 } });
}
seed();

const client = emu.clients[0];
process.stdout.write(
  JSON.stringify({ origin: emu.origin, baseUrl: emu.baseUrl, tokenUrl: emu.tokenUrl, clientId: client.id, clientSecret: client.secret }) +
    '\n',
);
process.stdin.setEncoding('utf8');
let pending = '';
process.stdin.on('data', (text) => {
  pending += text;
  let nl;
  while ((nl = pending.indexOf('\n')) !== -1) {
    const command = pending.slice(0, nl).trim();
    pending = pending.slice(nl + 1);
    if (command === 'reset') {
      emu.store.clear();
      emu.log.clear();
      seed();
      process.stdout.write(JSON.stringify({ reset: true }) + '\n');
    } else if (command === 'stats') {
      // CPU time lets the bench say how much of the machine the API's stand-in took per row.
      const cpu = process.cpuUsage();
      process.stdout.write(
        JSON.stringify({
          requests: emu.log.total,
          throttled: emu.log.countByStatus(429),
          rssBytes: process.memoryUsage().rss,
          cpuMs: (cpu.user + cpu.system) / 1000,
        }) + '\n',
      );
    }
  }
});
process.stdin.on('end', () => void emu.close().then(() => process.exit(0)));
const stop = () => void emu.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
