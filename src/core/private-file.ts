import { open, type FileHandle } from 'node:fs/promises';

/** Where the result sink appends lines; `sync` makes what was written so far durable. */
export interface AppendFile {
  write(text: string | Uint8Array): Promise<void>;
  sync(): Promise<void>;
}

/**
 * An append-only file for data that may hold personal data: created 0600 (and tightened if it
 * already existed), each write handed to the kernel before its promise resolves, so what was
 * written survives a kill -9 of this process; `sync` (fdatasync) makes it survive a power loss.
 */
export class PrivateFile implements AppendFile {
  /** Written since the last sync: a sync with nothing new costs no system call. */
  private dirty = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  static async open(path: string, flags: 'a' | 'w' = 'a'): Promise<PrivateFile> {
    const fh = await open(path, flags, 0o600);
    await fh.chmod(0o600);
    return new PrivateFile(path, fh);
  }

  async write(text: string | Uint8Array): Promise<void> {
    if (text.length === 0) return;
    this.dirty = true;
    if (typeof text === 'string') await this.fh.write(text);
    else await this.fh.write(text);
  }

  async sync(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
