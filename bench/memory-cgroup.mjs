// A memory cgroup for one bench run, so the pipeline can be measured as it runs in a container
// with a memory limit: Node reads the limit at startup (process.constrainedMemory()) and sizes
// its heap from it, which changes both peak RSS and how much time goes to garbage collection.
// Needs root. cgroup v1 (a `memory` hierarchy) and cgroup v2 (the memory controller enabled for
// the session's own cgroup's children) are both handled; anything else is a clear error.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Creates the cgroup; `argv` wraps a command so it starts inside it (before Node reads the limit). */
export function memoryCgroup(megabytes) {
  if (!(megabytes > 0)) throw new Error(`--container-mb wants a size in MB, got ${megabytes}`);
  const bytes = String(Math.round(megabytes * 1024 * 1024));
  const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const v1 = own.map((l) => l.split(':')).find((f) => f[1] !== undefined && f[1].split(',').includes('memory'));
  let dir;
  try {
    if (v1 !== undefined && existsSync('/sys/fs/cgroup/memory')) {
      dir = join('/sys/fs/cgroup/memory', v1.slice(2).join(':'), `propel-bench-${process.pid}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.limit_in_bytes'), bytes);
    } else {
      const v2 = own.find((l) => l.startsWith('0::'));
      if (v2 === undefined) throw new Error('no cgroup v1 memory hierarchy and no cgroup v2 entry in /proc/self/cgroup');
      const base = existsSync('/sys/fs/cgroup/unified/cgroup.controllers') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup';
      dir = join(base, v2.slice(3), `propel-bench-${process.pid}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.max'), bytes);
    }
  } catch (e) {
    if (dir !== undefined) removeQuietly(dir);
    throw new Error(
      `--container-mb: cannot make a memory cgroup here (${e.message}); it needs root and a writable cgroup hierarchy with the memory controller`,
    );
  }
  return {
    dir,
    /** `/bin/sh` arguments that move the shell into the cgroup, then exec the command. */
    argv(command, args) {
      return ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, command, ...args];
    },
    remove() {
      removeQuietly(dir);
    },
  };
}

function removeQuietly(dir) {
  try {
    rmdirSync(dir);
  } catch {
    // Never made, still busy or already gone: an empty cgroup left behind holds no memory.
  }
}
