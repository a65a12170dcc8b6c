import type { ResourceName } from '../core/resource.js';
import type { FoundField } from './sample-source.js';
import { proposeDateFormat } from './propose-date.js';

/** Where a proposed field goes in the item: top level, under `parent`, or in the first address. */
export type Slot = 'item' | 'parent' | 'address';

export interface ProposedField {
  readonly slot: Slot;
  /** The Propel field name within its slot. */
  readonly target: string;
  readonly from: string;
  /** Extra keys for the field spec, already decided from the sampled values (date format, map, type, transform). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Why this column: `same name`, `known synonym`, `similar name`; and what the samples left undecided. */
  readonly because: string;
}

/** A source column the proposal leaves out, and why. */
export interface UnmappedColumn {
  readonly column: string;
  readonly why: string;
}

export interface MappingProposal {
  readonly fields: readonly ProposedField[];
  /** Required fields nothing was found for. */
  readonly missingRequired: readonly string[];
  readonly unmapped: readonly UnmappedColumn[];
}

interface TargetField {
  readonly slot: Slot;
  readonly name: string;
  readonly synonyms: readonly string[];
}

/** Lower case, letters and digits only: `first_name`, `First Name` and `firstName` meet as `firstname`. */
export function normaliseName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// Synonyms are normalised names seen in real exports (English and Dutch).
const USER_FIELDS: readonly TargetField[] = [
  {
    slot: 'item',
    name: 'sourceId',
    synonyms: ['customerno', 'customernr', 'customernumber', 'customerid', 'externalid', 'extid', 'klantnr', 'klantnummer'],
  },
  { slot: 'item', name: 'source', synonyms: ['sourcesystem', 'system'] },
  { slot: 'item', name: 'language', synonyms: ['lang', 'locale', 'taal'] },
  { slot: 'item', name: 'debtorId', synonyms: ['debtorno', 'debtornumber', 'debiteurnummer'] },
  { slot: 'item', name: 'firstName', synonyms: ['first', 'givenname', 'fname', 'forename', 'voornaam'] },
  { slot: 'item', name: 'middleName', synonyms: ['infix', 'tussenvoegsel'] },
  { slot: 'item', name: 'lastName', synonyms: ['last', 'surname', 'familyname', 'lname', 'achternaam'] },
  { slot: 'item', name: 'fullName', synonyms: ['name', 'displayname', 'naam'] },
  { slot: 'item', name: 'title', synonyms: ['salutation', 'aanhef'] },
  { slot: 'item', name: 'dateOfBirth', synonyms: ['dob', 'birthdate', 'birthday', 'geboortedatum'] },
  { slot: 'item', name: 'gender', synonyms: ['sex', 'geslacht'] },
  { slot: 'item', name: 'login', synonyms: ['username', 'loginname'] },
  { slot: 'item', name: 'phone', synonyms: ['telephone', 'tel', 'phonenumber', 'mobile', 'telefoon', 'telefoonnummer'] },
  { slot: 'item', name: 'email', synonyms: ['emailaddress', 'mail', 'emailadres', 'emailadress'] },
  { slot: 'item', name: 'company', synonyms: ['companyname', 'organisation', 'organization', 'bedrijf', 'bedrijfsnaam'] },
  { slot: 'item', name: 'taxNumber', synonyms: ['vat', 'vatnumber', 'vatno', 'btwnummer'] },
  { slot: 'item', name: 'cocNumber', synonyms: ['coc', 'kvk', 'kvknummer'] },
  { slot: 'parent', name: 'id', synonyms: ['groupid', 'parentid', 'usergroupid', 'usergroup', 'parentgroupid'] },
];

const GROUP_FIELDS: readonly TargetField[] = [
  { slot: 'item', name: 'id', synonyms: ['groupid', 'usergroupid'] },
  { slot: 'item', name: 'name', synonyms: ['groupname', 'naam'] },
  { slot: 'item', name: 'language', synonyms: ['lang', 'locale', 'taal'] },
  { slot: 'item', name: 'company', synonyms: ['companyname', 'bedrijf'] },
  { slot: 'item', name: 'department', synonyms: ['dept', 'afdeling'] },
  { slot: 'item', name: 'office', synonyms: ['vestiging'] },
  { slot: 'item', name: 'notes', synonyms: ['note', 'remarks', 'opmerkingen'] },
  { slot: 'item', name: 'sourceId', synonyms: ['externalid'] },
  { slot: 'item', name: 'source', synonyms: ['sourcesystem'] },
  { slot: 'parent', name: 'id', synonyms: ['parentid', 'parentgroupid', 'parent'] },
];

const ADDRESS_FIELDS: readonly TargetField[] = [
  { slot: 'address', name: 'street', synonyms: ['streetname', 'straat', 'address', 'address1', 'adres'] },
  { slot: 'address', name: 'number', synonyms: ['houseno', 'housenumber', 'housenr', 'huisnummer', 'huisnr', 'nr'] },
  { slot: 'address', name: 'numberExtension', synonyms: ['housenoext', 'addition', 'toevoeging', 'huisnummertoevoeging'] },
  { slot: 'address', name: 'postalCode', synonyms: ['zip', 'zipcode', 'postcode', 'postal'] },
  { slot: 'address', name: 'city', synonyms: ['town', 'plaats', 'woonplaats'] },
  { slot: 'address', name: 'region', synonyms: ['state', 'province', 'provincie'] },
  { slot: 'address', name: 'country', synonyms: ['countrycode', 'land'] },
];

export const REQUIRED: Readonly<Record<ResourceName, readonly string[]>> = { users: ['source', 'sourceId'], usergroups: ['id'] };

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** 1 for the same normalised name, 0.9 for a known synonym, otherwise edit-distance similarity if close enough. */
export function nameScore(column: string, field: TargetField): { score: number; because: string } {
  // A nested path also reads as its last two segments, either way round: `name.first` is a `firstName`.
  const segs = column.split('.').map((x) => normaliseName(x.replace(/\[\d+\]$/, '')));
  const last = segs.at(-1)!;
  const prev = segs.at(-2);
  const names = prev !== undefined ? [last, last + prev, prev + last] : [last];
  return names.map((c) => scoreName(c, field)).reduce((a, b) => (b.score > a.score ? b : a));
}

function scoreName(c: string, field: TargetField): { score: number; because: string } {
  const t = normaliseName(field.name);
  if (c === '') return { score: 0, because: '' };
  // `parent.id` is called `id` only inside parent: a bare `id` column is the record's own id, not its parent's.
  if (field.slot === 'parent') return field.synonyms.includes(c) ? { score: 0.9, because: 'known synonym' } : { score: 0, because: '' };
  if (c === t) return { score: 1, because: 'same name' };
  if (field.synonyms.includes(c)) return { score: 0.9, because: 'known synonym' };
  const longest = Math.max(c.length, t.length);
  const sim = 1 - levenshtein(c, t) / longest;
  // Short names are too easy to confuse (`nr` is one edit from `n`): only long, near-identical ones.
  return longest >= 5 && sim >= 0.8 ? { score: sim * 0.8, because: 'similar name' } : { score: 0, because: '' };
}

export { guessDateFormat } from './propose-date.js';

const GENDER_WORDS: Readonly<Record<string, 'M' | 'F'>> = {
  m: 'M',
  man: 'M',
  male: 'M',
  heer: 'M',
  dhr: 'M',
  mr: 'M',
  f: 'F',
  v: 'F',
  vrouw: 'F',
  female: 'F',
  woman: 'F',
  mevrouw: 'F',
  mevr: 'F',
  mrs: 'F',
  ms: 'F',
};

function specFor(resource: ResourceName, slot: Slot, target: string, samples: readonly string[]): Record<string, unknown> {
  const integers = samples.length > 0 && samples.every((s) => /^-?\d+$/.test(s));
  if (slot === 'parent' || (resource === 'usergroups' && target === 'id')) return integers ? { type: 'integer' } : {};
  switch (target) {
    case 'dateOfBirth': {
      const f = proposeDateFormat(samples).format;
      return f !== undefined ? { date: f } : {};
    }
    case 'gender': {
      if (samples.every((s) => s === 'M' || s === 'F' || s === 'U')) return {};
      const map: Record<string, string> = {};
      for (const s of samples) {
        const g = GENDER_WORDS[s.toLowerCase()];
        if (g !== undefined) map[s] = g;
      }
      return { map, default: 'U' };
    }
    case 'email':
      return { transform: ['trim', 'lower'] };
    case 'country':
      return { transform: ['trim', 'upper'] };
    case 'postalCode':
      return { transform: ['trim', 'upper'] };
    case 'firstName':
    case 'lastName':
    case 'middleName':
    case 'fullName':
    case 'company':
    case 'name':
    case 'street':
    case 'city':
      return { transform: ['trim', 'collapse'] };
    default:
      return {};
  }
}

/**
 * Pairs source columns with Propel fields, best match first, each column and each field used
 * once. Address fields are only proposed when the columns look like an address (a street or a
 * city is there); otherwise `city` alone is no reason to invent an address.
 */
export function proposeMapping(resource: ResourceName, found: readonly FoundField[]): MappingProposal {
  const base = resource === 'users' ? USER_FIELDS : GROUP_FIELDS;
  const candidates: { field: TargetField; column: FoundField; score: number; because: string }[] = [];
  for (const field of [...base, ...ADDRESS_FIELDS]) {
    for (const column of found) {
      const s = nameScore(column.path, field);
      if (s.score > 0) candidates.push({ field, column, ...s });
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  const usedColumns = new Set<string>();
  const usedTargets = new Set<string>();
  const chosen: { field: TargetField; column: FoundField; because: string }[] = [];
  /** Per column left out although a field matched it: the field it lost, and to which column. */
  const lost = new Map<string, { field: TargetField; to: string }>();
  const takenBy = new Map<string, string>();
  for (const c of candidates) {
    const key = `${c.field.slot}.${c.field.name}`;
    if (usedColumns.has(c.column.path)) continue;
    if (usedTargets.has(key)) {
      if (!lost.has(c.column.path)) lost.set(c.column.path, { field: c.field, to: takenBy.get(key) ?? '' });
      continue;
    }
    usedColumns.add(c.column.path);
    usedTargets.add(key);
    takenBy.set(key, c.column.path);
    chosen.push(c);
  }
  const hasAddress = chosen.some((c) => c.field.slot === 'address' && (c.field.name === 'street' || c.field.name === 'city'));
  const kept = chosen.filter((c) => c.field.slot !== 'address' || hasAddress);
  const keptColumns = new Set(kept.map((c) => c.column.path));
  const order = [...base, ...ADDRESS_FIELDS];
  kept.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
  const fields = kept.map((c) => proposedField(resource, c.field, c.column, c.because));
  const mappedTop = new Set(fields.filter((f) => f.slot === 'item').map((f) => f.target));
  const chosenField = new Map(chosen.map((c) => [c.column.path, c.field]));
  const why = (column: string): string => {
    const dropped = chosenField.get(column);
    if (dropped !== undefined) return `looks like the address field ${dropped.name}, but no street or city column makes an address`;
    const other = lost.get(column);
    if (other !== undefined) return `also looks like ${fieldName(other.field)}, which ${other.to} matches better`;
    return 'no Propel field has this name or a known synonym';
  };
  return {
    fields,
    missingRequired: REQUIRED[resource].filter((r) => !mappedTop.has(r)),
    unmapped: found
      .map((f) => f.path)
      .filter((p) => !keptColumns.has(p))
      .map((column) => ({ column, why: why(column) })),
  };
}

function fieldName(field: TargetField): string {
  return field.slot === 'item' ? field.name : field.slot === 'parent' ? `parent.${field.name}` : `addresses[0].${field.name}`;
}

/** The field as proposed; a date column whose samples no one format reads gets no `date:`, and says which samples disagree. */
function proposedField(resource: ResourceName, field: TargetField, column: FoundField, because: string): ProposedField {
  const spec = specFor(resource, field.slot, field.name, column.samples);
  let note = because;
  if (field.name === 'dateOfBirth') {
    const date = proposeDateFormat(column.samples);
    if (date.misfits.length > 0 && date.candidate !== undefined) {
      note += `; no date format proposed: ${date.misfits.join(', ')} ${date.misfits.length === 1 ? 'does' : 'do'} not read as ${date.candidate} like ${date.fits.join(', ')}; set date: by hand`;
    } else if (date.misfits.length > 0) {
      note += `; no date format reads ${date.misfits.join(', ')}; set date: by hand`;
    }
  }
  return { slot: field.slot, target: field.name, from: column.path, spec, because: note };
}
