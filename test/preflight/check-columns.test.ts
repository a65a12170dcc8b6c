import { describe, expect, it } from 'vitest';
import { findMissingColumn, seemingDelimiter } from '../../src/preflight/check-columns.js';
import { peekCsvColumns } from '../../src/stages/1-read/formats/csv-peek.js';
import type { InputColumns } from '../../src/stages/1-read/formats/input-columns.js';

const header = (columns: string[], extra: Partial<InputColumns> = {}): InputColumns => ({
  where: { file: 'u.csv' },
  columns,
  source: 'header',
  ...extra,
});

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('findMissingColumn', () => {
  it('passes when every read is a column, or the root of a path that is one', () => {
    expect(
      findMissingColumn(
        [
          { path: ['email'], from: 'email' },
          { path: ['firstName'], from: 'name.first' },
        ],
        header(['email', 'name']),
      ),
    ).toBeUndefined();
    expect(findMissingColumn([{ path: ['city'], from: 'address.city' }], header(['address.city']))).toBeUndefined();
  });

  it('names the first missing read in mapping order, with the nearest column', () => {
    const missing = findMissingColumn(
      [
        { path: ['sourceId'], from: 'id' },
        { path: ['addresses', 0, 'city'], from: 'Stad' },
        { path: ['email'], from: 'mial' },
      ],
      header(['id', 'stad ', 'mail']),
    );
    expect(missing?.message).toBe(
      'mapping.addresses[0].city reads column "Stad", which is not in the header of u.csv (did you mean "stad "?)',
    );
  });

  it('lists the header when nothing is close, and names an archive entry', () => {
    const missing = findMissingColumn([{ path: ['email'], from: 'email' }], {
      where: { file: 'x.zip', entry: 'b.csv' },
      columns: ['id', 'voornaam'],
      source: 'header',
    });
    expect(missing?.message).toBe(
      'mapping.email reads column "email", which is not in the header of x.zip (entry b.csv) (it has 2 columns: "id", "voornaam")',
    );
  });

  it('lists first the columns the mapping does not read, where a renamed one is: a long header does not hide it past the cut', () => {
    const mapped = ['id', 'first', 'last', 'phone', 'street', 'city', 'zip', 'country', 'company', 'vat', 'title', 'lang'];
    const reads = [...mapped, 'email'].map((from) => ({ path: [from], from }));
    const missing = findMissingColumn(reads, header([...mapped, 'primary_contact_email_address_v2']));
    expect(missing?.message).toBe(
      'mapping.email reads column "email", which is not in the header of u.csv (it has 13 columns; not read by the mapping: "primary_contact_email_address_v2")',
    );
    const many = Array.from({ length: 14 }, (_, i) => `c${i}`);
    expect(findMissingColumn([{ path: ['email'], from: 'email' }], header(many))?.message).toBe(
      'mapping.email reads column "email", which is not in the header of u.csv (it has 14 columns: "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", and 4 more)',
    );
  });

  it('says which delimiter a one-field header seems to use', () => {
    const missing = findMissingColumn(
      [{ path: ['sourceId'], from: 'id' }],
      header(['id\tfirst\temail'], { singleField: 'id\tfirst\temail' }),
      ',',
    );
    expect(missing?.message).toMatch(/the file seems to use tab as delimiter, not ","/);
    expect(seemingDelimiter('a|b|c;d', '|')).toBe(';');
    expect(seemingDelimiter('a|b|c;d', ',')).toBe('|');
    expect(seemingDelimiter('abc', ',')).toBeUndefined();
  });
});

describe('peekCsvColumns', () => {
  const spec = (csv: Record<string, unknown> = {}) => ({ path: 'u.csv', csv });
  it("reads the header with the run's options, fed in tiny chunks", async () => {
    const text = '# comment\nskip me\n "id" ,first;x,"e\nmail"\nU1,A,b\n';
    const peek = await peekCsvColumns({
      where: { file: 'u.csv' },
      format: 'csv',
      spec: { path: 'u.csv', csv: { skipLines: 1, comment: '#' } },
      bytes: chunks(text, 3),
    });
    expect(peek).toEqual({ where: { file: 'u.csv' }, columns: ['skip me'], source: 'header', singleField: 'skip me' });
    const second = await peekCsvColumns({
      where: { file: 'u.csv' },
      format: 'csv',
      spec: { path: 'u.csv', csv: { skipLines: 2 } },
      bytes: chunks(text, 2),
    });
    expect(second?.columns).toEqual(['id', 'first;x', 'e\nmail']);
  });

  it('headerless: the given names or positions as far as the first row reaches; an empty file has none', async () => {
    expect(
      (await peekCsvColumns({ where: { file: 'u.csv' }, format: 'csv', spec: spec({ headers: false }), bytes: chunks('a,b,c\n', 4) }))
        ?.columns,
    ).toEqual(['0', '1', '2']);
    expect(
      (
        await peekCsvColumns({
          where: { file: 'u.csv' },
          format: 'csv',
          spec: spec({ headers: ['id', 'first', 'last'] }),
          bytes: chunks('a,b\n', 4),
        })
      )?.columns,
    ).toEqual(['id', 'first']);
    expect(await peekCsvColumns({ where: { file: 'u.csv' }, format: 'csv', spec: spec(), bytes: chunks('', 4) })).toBeUndefined();
  });
});
