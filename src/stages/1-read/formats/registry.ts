/** Formats by name and by extension; the reader, the input resolver and ZIP entry choice ask here. */
import { ERR, ConfigError } from '../../../core/errors.js';
import type { SourceFormatDef } from './source-format.js';

/** `users.csv.gz` is csv: the container's extension goes first. */
function extensionOf(name: string): string | undefined {
  const lower = name.toLowerCase().replace(/\.(gz|gzip|zip)$/, '');
  const dot = lower.lastIndexOf('.');
  if (dot === -1 || lower.lastIndexOf('/') > dot) return undefined;
  return lower.slice(dot);
}

export class FormatRegistry {
  private readonly byName = new Map<string, SourceFormatDef>();
  private readonly byExtension = new Map<string, SourceFormatDef>();

  constructor(formats: readonly SourceFormatDef[]) {
    for (const f of formats) this.register(f);
  }

  /** One more format: the same as a line in the list it was made with (a format's name and extensions are its own). */
  register(format: SourceFormatDef): void {
    if (this.byName.has(format.name)) throw new Error(`source format "${format.name}" is registered twice`);
    this.byName.set(format.name, format);
    for (const ext of format.extensions) this.byExtension.set(ext, format);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): SourceFormatDef {
    const format = this.byName.get(name);
    if (format === undefined)
      throw new ConfigError(
        `unknown source format "${name}"; use one of ${this.names.join(', ')}`,
        { key: 'source.format' },
        ERR.SOURCE_FORMAT,
      );
    return format;
  }

  /** The format a file name implies, or undefined. */
  fromName(name: string): SourceFormatDef | undefined {
    const ext = extensionOf(name);
    return ext === undefined ? undefined : this.byExtension.get(ext);
  }

  /**
   * The format an archive entry is read with when `zip.entries` is not set, or undefined when the
   * entry is not data: its extension must be one of the pipeline's format's entry extensions
   * (any format's when the pipeline names none).
   */
  entryFormat(entryName: string, format: string | undefined): SourceFormatDef | undefined {
    const ext = extensionOf(entryName);
    if (ext === undefined) return undefined;
    const candidates = format !== undefined ? [this.get(format)] : [...this.byName.values()];
    for (const f of candidates) if (f.entryExtensions.includes(ext)) return f;
    return undefined;
  }
}
