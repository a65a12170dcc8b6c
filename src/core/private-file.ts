import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, ERR, OutputError } from './errors.js';

/** Where the result sink appends lines; `sync` makes what was written so far durable. */
export interface AppendFile {
  /** Whole or not at all: a write that fails part way is taken back, and throws an OutputError. */
  write(text: string | Uint8Array): Promise<void>;
  sync(): Promise<void>;
  /** Bytes in the file: every write that succeeded, whole. */
  readonly size: number;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NOFOLLOW } = constants;

/**
 * Refuses a file the run did not make for itself: a link planted where a run file goes would make
 * the run write (and chmod) whatever the link names. Opened with O_NOFOLLOW, then the open file
 * itself is checked: a regular file, this user's, with no other name (a hard link to a victim).
 */
async function openOwn(path: string, flags: number, mode: number): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, flags | O_NOFOLLOW, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw planted(path, 'is a symbolic link');
    throw e;
  }
  const st = await fh.stat();
  const uid = process.getuid?.();
  const wrong = !st.isFile()
    ? 'is not a regular file'
    : st.nlink !== 1
      ? 'has another name (a hard link)'
      : uid !== undefined && st.uid !== uid
        ? 'belongs to another user'
        : undefined;
  if (wrong !== undefined) {
    await fh.close();
    throw planted(path, wrong);
  }
  return fh;
}

/**
 * A folder run files go into: made 0700 when missing; one that stands must be a real folder (not a
 * link to one) of this user that no one else can write, or another user could plant links in it.
 */
export async function ownFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = await lstat(dir);
  const uid = process.getuid?.();
  if (st.isSymbolicLink()) throw planted(dir, 'is a symbolic link');
  if (!st.isDirectory()) throw planted(dir, 'is not a folder');
  if (uid !== undefined && st.uid !== uid) throw planted(dir, 'belongs to another user');
  if ((st.mode & 0o022) !== 0) throw planted(dir, `can be written by others (mode ${(st.mode & 0o777).toString(8)})`);
  // A link inside it would be written through by a tool that is less careful than this one, or
  // replaced by this one without a word: either way someone put it there, and the user should know.
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) throw planted(join(dir, entry.name), 'is a symbolic link');
  }
}

function planted(path: string, what: string): ConfigError {
  return new ConfigError(
    `${what}; a run writes only files it made itself: remove it, or choose another --out`,
    { file: path },
    ERR.RUN_FOLDER_UNSAFE,
  );
}

/**
 * An append-only file for data that may hold personal data: 0600, made by this run or by an
 * earlier attempt of it (never through a link), each write handed to the kernel before its promise
 * resolves, so what was written survives a kill -9 of this process; `sync` (fdatasync) makes it
 * survive a power loss. `w` starts the file anew: whatever stood at the path (a planted link
 * included) is removed and the file is created exclusively.
 */
export class PrivateFile implements AppendFile {
  /** Written since the last sync: a sync with nothing new costs no system call. */
  private dirty = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private length: number,
  ) {}

  /**
   * `cutTo` (appending): the file is first cut back to that many bytes, dropping what an earlier
   * attempt wrote after its last checkpoint (lines a resume writes again, or a torn one).
   */
  static async open(path: string, flags: 'a' | 'w' = 'a', cutTo?: number): Promise<PrivateFile> {
    if (flags === 'w') await unlink(path).catch(() => undefined);
    const fh = await openOwn(path, flags === 'w' ? O_WRONLY | O_CREAT | O_EXCL : O_WRONLY | O_CREAT | O_APPEND, 0o600);
    try {
      await fh.chmod(0o600);
      let { size } = await fh.stat();
      if (cutTo !== undefined && size > cutTo) {
        await fh.truncate(cutTo);
        size = cutTo;
      }
      return new PrivateFile(path, fh, size);
    } catch (e) {
      await fh.close();
      throw outputFailure(path, e);
    }
  }

  get size(): number {
    return this.length;
  }

  async write(text: string | Uint8Array): Promise<void> {
    if (text.length === 0) return;
    const bytes = typeof text === 'string' ? Buffer.from(text) : text;
    this.dirty = true;
    let done = 0;
    try {
      // A write(2) may take fewer bytes than it was given (a disk filling up): the rest is written
      // on, and the failure that follows undoes the part, so no torn line stays behind.
      while (done < bytes.length) {
        const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done);
        if (bytesWritten === 0) throw Object.assign(new Error('the disk took no byte'), { code: 'EIO' });
        done += bytesWritten;
      }
    } catch (e) {
      if (done > 0) await this.fh.truncate(this.length).catch(() => undefined);
      throw outputFailure(this.path, e);
    }
    this.length += bytes.length;
  }

  async sync(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await this.fh.datasync();
    } catch (e) {
      throw outputFailure(this.path, e);
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * A file written whole or not at all: into a temporary file beside it (created exclusively, never
 * through a link), synced, then renamed over the path, which replaces a link planted there rather
 * than writing through it. A reader, or a crash, never sees half of it.
 */
export async function writeWhole(path: string, text: string, mode = 0o600): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await openOwn(temp, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, mode);
  try {
    await fh.writeFile(text);
    await fh.chmod(mode);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw outputFailure(path, e);
  }
  await fh.close();
  await rename(temp, path);
}

const DISK_TROUBLE: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file would be larger than this file system allows',
  EIO: 'an I/O error',
  EROFS: 'the file system is read-only',
};

/** What a file system's refusal means, in words; undefined for anything else (a bug). */
export function diskTrouble(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return undefined;
  return DISK_TROUBLE[code] ?? (e as Error).message;
}

/** A file system's refusal as one line naming the file; anything else (a bug) as it is. */
function outputFailure(path: string, e: unknown): unknown {
  const why = diskTrouble(e);
  if (why === undefined) return e;
  return new OutputError(
    `could not be written whole: ${why}; what is on disk is whole and checkpointed: make room, then run again with --resume`,
    {
      file: path,
    },
  );
}
