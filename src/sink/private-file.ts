import { open, type FileHandle } from 'node:fs/promises';

/**
 * An append-only file for data that may hold personal data: created 0600 (and tightened if it
 * already existed), each write handed to the kernel before its promise resolves, so what was
 * written survives a kill -9 of this process.
 */
export class PrivateFile {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  static async open(path: string, flags: 'a' | 'w' = 'a'): Promise<PrivateFile> {
    const fh = await open(path, flags, 0o600);
    await fh.chmod(0o600);
    return new PrivateFile(path, fh);
  }

  async write(text: string): Promise<void> {
    if (text.length > 0) await this.fh.write(text);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
