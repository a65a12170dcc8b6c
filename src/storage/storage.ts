/**
 * Where an input's bytes come from. The readers never call `node:fs` or a cloud SDK themselves:
 * they get a `StoredObject` and ask its `Storage` for a stream (text formats, gzip) or for byte
 * ranges (binary formats such as Parquet, archive directories). The local file system is the
 * first implementation; `s3://` is the second. A new storage is one file implementing this
 * interface plus its line in the storage registry (`src/storage/index.ts`).
 */
import type { Readable } from 'node:stream';

/** One object (a file, an S3 object) as listed or stat'ed, before any of its content is read. */
export interface StoredObject {
  /** How results, rejects and messages name it: the path as the user wrote it or the glob matched it, or `s3://bucket/key`. */
  readonly display: string;
  /** The storage's own address of it: an absolute path, or `s3://bucket/key`. */
  readonly location: string;
  /** Bytes as stored (compressed size for .gz and .zip). */
  readonly size: number;
  /**
   * Changes whenever the content may have changed: `<size>:<mtimeMs>` for a local file, the ETag
   * for an object. What a resume compares; it names no content, so it is safe to write in a journal.
   */
  readonly version: string;
}

export interface Storage {
  /** The scheme it serves: `file` or `s3`. */
  readonly scheme: string;
  /**
   * The objects a glob names, sorted by display name ([] when none match; a missing prefix is
   * not an error here). `pattern` is relative to `baseDir` for local paths, a full URL otherwise.
   */
  list(pattern: string, baseDir: string): Promise<StoredObject[]>;
  /** One object named without a glob; throws a ConfigError (exit 2) when it does not exist. */
  stat(path: string, baseDir: string): Promise<StoredObject>;
  /**
   * The object's bytes from `start` (default 0) to the end, with backpressure: the next piece is
   * read only when the consumer asks for it. Never buffers the object whole.
   */
  openStream(object: StoredObject, start?: number): Readable;
  /** Bytes [start, end) of the object: random access for footers and directories. */
  readRange(object: StoredObject, start: number, end: number): Promise<Uint8Array>;
  /**
   * The object as a file on this machine, for libraries that only open paths (node-stream-zip).
   * The local storage gives the file itself; a remote one downloads it to a private (0600)
   * temporary file, shared by the run's phases and removed at its end (`releaseDownloads()` in
   * index.ts). Call `release()` once done, whatever happened.
   */
  localFile(object: StoredObject): Promise<LocalFile>;
}

export interface LocalFile {
  readonly path: string;
  release(): Promise<void>;
}
