/**
 * JSON and NDJSON have no header to check up front: a mapped path that no record of the whole
 * input had is reported once the run has read it (summary.json `warnings`, the terminal summary,
 * the end log line, report.html). Cheap by design: one flag per distinct path, and records are
 * only looked at while some path is still unseen; once every path was seen, a record costs one
 * length check.
 */
import { formatKeyPath } from '../config/key-path.js';
import type { PipelineSpec } from '../config/pipeline-spec.js';
import { lineInPipeline } from '../config/spec-lines.js';
import type { CompiledMapping, MapResult } from '../stages/3-map/compile-mapping.js';
import { compilePath, type Accessor } from '../core/source-path.js';
import type { SourceData } from '../core/record.js';
import type { InputFile } from '../stages/1-read/resolve-inputs.js';
import type { MappedRead } from './check-columns.js';
import { mappedReads } from './source-columns.js';
import { describeInputs } from './require-records.js';

interface Watched {
  readonly read: MappedRead;
  /** Position in the mapping, to report in file order. */
  readonly order: number;
  readonly get: Accessor;
}

export class MappedPaths {
  /** Paths no record has had yet; a seen one is swapped out, so the list only shrinks. */
  private readonly unseen: Watched[];
  private sawRecord = false;
  private readonly spec: PipelineSpec;

  constructor(spec: PipelineSpec) {
    this.spec = spec;
    const seen = new Set<string>();
    this.unseen = [];
    for (const read of mappedReads(spec)) {
      if (seen.has(read.from)) continue;
      seen.add(read.from);
      this.unseen.push({ read, order: this.unseen.length, get: compilePath(read.from) });
    }
  }

  /** The mapping, with each record looked at while a path is still unseen. */
  watch(map: CompiledMapping): CompiledMapping {
    const watched = (data: SourceData): MapResult => {
      if (this.unseen.length > 0) this.observe(data);
      return map(data);
    };
    return Object.assign(watched, { sources: map.sources });
  }

  observe(data: SourceData): void {
    this.sawRecord = true;
    const list = this.unseen;
    for (let i = list.length - 1; i >= 0; i--) {
      if ((list[i] as Watched).get(data) === undefined) continue;
      list[i] = list[list.length - 1] as Watched;
      list.pop();
    }
  }

  /** One line per mapped path that no record read in this run had; none when no record was read. */
  warnings(inputs: readonly InputFile[]): string[] {
    if (!this.sawRecord) return [];
    const where = describeInputs(inputs);
    return [...this.unseen]
      .sort((a, b) => a.order - b.order)
      .map(({ read }) => {
        const keyPath = ['mapping', ...read.path];
        const line = lineInPipeline(this.spec, keyPath);
        return `${formatKeyPath(keyPath)}${line !== undefined ? ` (line ${line})` : ''} reads "${read.from}", which no record of ${where} had`;
      });
  }
}
