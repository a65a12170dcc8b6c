import type { SourceSpec } from '../config/pipeline-spec.js';
import { assertSameInputs, identify, type InputIdentity } from '../resume/input-identity.js';
import { readJournalHeader } from '../resume/journal.js';
import { localObject, localRanges } from '../resume/local-object.js';
import { STDIN, type InputFile } from '../sources/resolve-inputs.js';
import { openZip } from '../sources/zip-reader.js';

/** Each input's identity now: its version and fingerprint, and for an archive the entries the pipeline reads. */
export async function identifyInputs(inputs: readonly InputFile[], spec: SourceSpec): Promise<InputIdentity[]> {
  const out: InputIdentity[] = [];
  for (const input of inputs) {
    if (input.path === STDIN) {
      out.push({ file: STDIN, size: 0, version: 'stdin', fingerprint: '' });
      continue;
    }
    let entries: InputIdentity['entries'];
    if (input.compression === 'zip') {
      const archive = await openZip(input.path, input.display, spec);
      entries = archive.entries.map(({ name, crc, size }) => ({ name, crc, size }));
      await archive.close();
    }
    out.push(await identify(await localObject(input.path, input.display), localRanges, entries));
  }
  return out;
}

/**
 * The inputs' identities for the journal of a run about to start; when it resumes, first
 * refuses (exit 2, nothing sent) if they are not the ones its journal recorded.
 */
export async function checkInputs(inputs: readonly InputFile[], spec: SourceSpec, resumeFrom: string | undefined): Promise<InputIdentity[]> {
  const now = await identifyInputs(inputs, spec);
  const then = resumeFrom !== undefined ? (await readJournalHeader(resumeFrom))?.inputs : undefined;
  if (then !== undefined) assertSameInputs(then, now);
  return now;
}
