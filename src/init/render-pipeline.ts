import type { SourceSpec } from '../config/pipeline-spec.js';
import type { ResourceName } from '../core/resource.js';
import { DEFAULT_FORMAT, FORMATS } from '../stages/1-read/formats/index.js';
import type { MappingProposal, ProposedField } from './propose-mapping.js';

const YAML_WORDS = /^(?:true|false|yes|no|on|off|null|y|n|~)$/i;

/** A YAML scalar: plain when that reads back as the same string (also inside `{ }`, so no brackets), else double-quoted (JSON is valid YAML). */
export function yamlScalar(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(s) && !YAML_WORDS.test(s) ? s : JSON.stringify(s);
}

function flow(obj: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(obj).map(([k, v]) => {
    if (Array.isArray(v)) return `${k}: [${v.map(yamlScalar).join(', ')}]`;
    if (v !== null && typeof v === 'object') return `${k}: ${flow(v as Record<string, unknown>)}`;
    return `${k}: ${yamlScalar(v)}`;
  });
  return `{ ${parts.join(', ')} }`;
}

function fieldLine(indent: string, f: ProposedField): string {
  return `${indent}${f.target}: ${flow({ from: f.from, ...f.spec })}`.padEnd(64) + `  # ${f.because}`;
}

const REQUIRED_HINT: Readonly<Record<string, string>> = {
  source:
    `source: { value: CHANGE_ME }`.padEnd(62) + '  # REQUIRED, no source found: the name of the system these records come from (e.g. ERP)',
  sourceId: `sourceId: { from: CHANGE_ME }`.padEnd(62) + '  # REQUIRED, no source found: the column holding your id for each record',
  id: `id: { from: CHANGE_ME, type: integer }`.padEnd(62) + '  # REQUIRED, no source found: the column holding the usergroup id',
};

export interface RenderInput {
  readonly name: string;
  readonly resource: ResourceName;
  readonly inputDisplay: string;
  /** The source block, its path relative to where the pipeline file will be. */
  readonly source: SourceSpec;
  readonly records: number;
  readonly columns: readonly string[];
  readonly proposal: MappingProposal;
  /** Attribute types by source path, where the file declares them (Parquet); `text` otherwise. */
  readonly attributeTypes?: ReadonlyMap<string, string>;
}

/** The starter pipeline as YAML, with the reasoning in comments so a person can check each line. */
export function renderPipeline(r: RenderInput): string {
  const p = r.proposal;
  const out: string[] = [];
  out.push(`# Starter pipeline written by \`propel-etl init ${r.resource}\` from ${r.inputDisplay} (first ${r.records} records read).`);
  out.push('# Check every mapping line, then rehearse: propel-etl validate <this file>; propel-etl run <this file> --dry-run');
  out.push(`# ${r.columns.length} source ${FORMATS.get(r.source.format ?? DEFAULT_FORMAT).init?.fields ?? 'paths'} found:`);
  for (let i = 0; i < r.columns.length; i += 8) out.push(`#   ${r.columns.slice(i, i + 8).join(', ')}`);
  if (p.missingRequired.length > 0)
    out.push(`# REQUIRED fields with no source found: ${p.missingRequired.join(', ')} (marked CHANGE_ME below).`);
  out.push(`name: ${yamlScalar(r.name)}`);
  out.push(`resource: ${r.resource}`);
  out.push('source:');
  out.push(`  path: ${yamlScalar(r.source.path)}`);
  if (r.source.format !== undefined) out.push(`  format: ${r.source.format}`);
  if (r.source.csv !== undefined) out.push(`  csv: ${flow({ ...r.source.csv })}`);
  if (r.source.json?.pointer !== undefined) out.push(`  json: ${flow({ pointer: r.source.json.pointer })}`);
  out.push('mapping:');
  for (const req of p.missingRequired) out.push(`  ${REQUIRED_HINT[req] ?? `${req}: { from: CHANGE_ME }  # REQUIRED, no source found`}`);
  const top = p.fields.filter((f) => f.slot === 'item');
  if (r.resource === 'users' && !top.some((f) => f.target === 'language')) {
    out.push('  # language: { value: NL }'.padEnd(64) + "  # with source and sourceId, part of a user's identity at Propel");
  }
  for (const f of top) out.push(fieldLine('  ', f));
  const parent = p.fields.filter((f) => f.slot === 'parent');
  if (parent.length > 0) {
    out.push('  parent:');
    for (const f of parent) out.push(fieldLine('    ', f));
  }
  const address = p.fields.filter((f) => f.slot === 'address');
  if (address.length > 0) {
    out.push('  addresses:');
    out.push('    - type: { value: invoice }'.padEnd(64) + '  # invoice or delivery; an address also needs street, city and country');
    for (const f of address) out.push(fieldLine('      ', f));
  }
  if (p.unmapped.length > 0) {
    out.push('  # Not mapped (why after each); map them by hand, keep them as attributes, or leave them out:');
    for (const { column: c, why } of p.unmapped) {
      out.push(`  #   ${c}: ${why}`);
      const attr =
        c
          .replace(/[^A-Za-z0-9]+/g, '_')
          .replace(/^_|_$/g, '')
          .toUpperCase() || 'ATTRIBUTE';
      out.push(
        `  #     e.g. attributes: [{ name: ${attr}, type: ${r.attributeTypes?.get(c) ?? 'text'}, value: { from: ${yamlScalar(c)} } }]`,
      );
    }
  }
  out.push('batch: { size: 200, maxBytes: 2mb }');
  out.push('send: { concurrency: 4, maxRetries: 8, timeout: 60s }');
  out.push('errors: { maxRejects: 1% }                                      # abort (exit 3) past this share of rejects');
  return out.join('\n') + '\n';
}
