/** One input to read, as resolve-inputs.ts settles it from `source.path` before the run starts. */
import type { StoredObject } from '../../storage/index.js';
import type { Compression } from './compression.js';

export interface InputFile {
  /** Where its bytes are: `object.display` names it in messages, `object.version` tells a changed input. */
  readonly object: StoredObject;
  /** The format's name; null for a ZIP archive without an explicit format: each entry's own name decides. */
  readonly format: string | null;
  /** For stdin `none` means "not known": the stream checks the magic bytes. */
  readonly compression: Compression;
}
