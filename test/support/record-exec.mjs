// Preloaded into the CLI (NODE_OPTIONS=--import): appends a line per process image to the file
// named by RECORD_EXEC (its pid and node flags when it starts, and when it exits), so a test can
// see whether the CLI replaced itself with process.execve and with which flags.
import { appendFileSync } from 'node:fs';

const file = process.env.RECORD_EXEC;
const line = (event) => appendFileSync(file, JSON.stringify({ event, pid: process.pid, execArgv: process.execArgv }) + '\n');
if (file !== undefined) {
  line('start');
  process.on('exit', () => line('exit'));
}
