import { describe, expect, it } from 'vitest';
import { retryPolicy } from '../../src/core/retry-policy.js';
import { ReadBroken, resumableRead, type OpenRange } from '../../src/storage/s3/resumable-read.js';
import { VirtualClock } from '../support/virtual-clock.js';

const DATA = Buffer.from('0123456789abcdefghij');

/** Bodies of DATA in 3-byte chunks; `plan[n]` says where the n-th GET's body stops and how. */
function server(plan: readonly ({ at: number; how: 'error' | 'end' } | undefined)[]): { open: OpenRange; opened: [number, number][] } {
  const opened: [number, number][] = [];
  const open: OpenRange = (start, end) => {
    const cut = plan[opened.length];
    opened.push([start, end]);
    async function* body(): AsyncGenerator<Uint8Array> {
      for (let i = start; i < end; i += 3) {
        if (cut !== undefined && i >= cut.at) {
          if (cut.how === 'error') throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
          return;
        }
        yield new Uint8Array(DATA.subarray(i, Math.min(end, i + 3)));
      }
    }
    return Promise.resolve(body());
  };
  return { open, opened };
}

/** Reads on virtual time; `waits` are the pauses before the resumes, as S3 storage spaces them. */
async function read(
  open: OpenRange,
  start: number,
  end: number,
  maxResumes = 3,
  waits: number[] = [],
): Promise<{ text: string; resumes: number[] }> {
  const resumes: number[] = [];
  const clock = new VirtualClock({ autoAdvance: true });
  const policy = retryPolicy(maxResumes, { baseMs: 250, capMs: 8000, jitter: 'none' });
  let text = '';
  try {
    for await (const chunk of resumableRead(open, start, end, { policy, clock, onResume: (offset) => resumes.push(offset) }))
      text += chunk.toString();
  } finally {
    waits.push(...clock.slept);
  }
  return { text, resumes };
}

describe('resumableRead', () => {
  it('goes on from the byte reached after a body that breaks and one that ends short: every byte once', async () => {
    const s = server([
      { at: 6, how: 'error' },
      { at: 12, how: 'end' },
    ]);
    const waits: number[] = [];
    expect(await read(s.open, 0, 20, 3, waits)).toEqual({ text: DATA.toString(), resumes: [6, 12] });
    expect(s.opened).toEqual([
      [0, 20],
      [6, 20],
      [12, 20],
    ]);
    expect(waits).toEqual([250, 250]);
  });

  it('reads a range from an offset, and nothing for an empty one', async () => {
    const s = server([]);
    expect((await read(s.open, 4, 9)).text).toBe('45678');
    expect((await read(s.open, 9, 9)).text).toBe('');
    expect(s.opened).toEqual([[4, 9]]);
  });

  it('fails after maxResumes breaks in a row without a byte of progress, naming the byte reached', async () => {
    const s = server([
      { at: 3, how: 'error' },
      { at: 3, how: 'error' },
      { at: 3, how: 'error' },
    ]);
    const waits: number[] = [];
    const failure = await read(s.open, 0, 20, 2, waits).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ReadBroken);
    expect((failure as ReadBroken).message).toBe('reading broke off at byte 3, 3 times in a row');
    expect(s.opened).toEqual([
      [0, 20],
      [3, 20],
      [3, 20],
    ]);
    // Longer each time the body breaks again at the same byte.
    expect(waits).toEqual([250, 500]);
  });

  it('counts breaks in a row only: progress between them starts the count again', async () => {
    const s = server([
      { at: 3, how: 'error' },
      { at: 6, how: 'error' },
      { at: 9, how: 'error' },
      { at: 12, how: 'end' },
    ]);
    const waits: number[] = [];
    expect(await read(s.open, 0, 20, 1, waits)).toEqual({ text: DATA.toString(), resumes: [3, 6, 9, 12] });
    expect(waits).toEqual([250, 250, 250, 250]);
  });
});
