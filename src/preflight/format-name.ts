/**
 * `source.format` names one of the formats the read stage registers. The pipeline schema cannot
 * list them (a format is added in the read stage alone), so the name is checked here, before the
 * first request, with the key's line and the nearest name.
 */
import type { PipelineSpec } from '../config/pipeline-spec.js';
import { didYouMean } from '../config/did-you-mean.js';
import { lineInPipeline } from '../config/spec-lines.js';
import { ConfigError, ERR } from '../core/errors.js';
import { FORMATS, type FormatRegistry } from '../stages/1-read/formats/index.js';

export function checkFormatName(spec: PipelineSpec, formats: FormatRegistry = FORMATS): void {
  const name = spec.source.format;
  if (name === undefined || formats.has(name)) return;
  const near = didYouMean(name, formats.names);
  throw new ConfigError(
    `unknown source format "${name}"${near !== undefined ? ` (did you mean "${near}"?)` : ''}; use one of ${formats.names.join(', ')}`,
    { file: spec.file, line: lineInPipeline(spec, ['source', 'format']), key: 'source.format' },
    ERR.SOURCE_FORMAT,
  );
}
