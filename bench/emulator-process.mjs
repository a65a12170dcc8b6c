// bench/emulator.mjs in a child process of its own, so its CPU is not charged to what is measured.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const EMULATOR = join(dirname(fileURLToPath(import.meta.url)), 'emulator.mjs');

/** Starts bench/emulator.mjs; returns its connection data and a line-command channel. */
export async function startEmulatorProcess(extra = []) {
  const child = spawn(process.execPath, [EMULATOR, ...extra], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) throw new Error('the emulator exited before it listened');
  const info = JSON.parse(first.value);
  return {
    ...info,
    async command(cmd) {
      child.stdin.write(cmd + '\n');
      const r = await it.next();
      return JSON.parse(r.value);
    },
    async stop() {
      child.stdin.end();
      await once(child, 'exit');
    },
  };
}

/** The environment that points the CLI's `propel` target at this emulator. */
export function targetEnv(emu) {
  return {
    PROPEL_BASE_URL: emu.baseUrl,
    PROPEL_TOKEN_URL: emu.tokenUrl,
    PROPEL_CLIENT_ID: emu.clientId,
    PROPEL_CLIENT_SECRET: emu.clientSecret,
  };
}
