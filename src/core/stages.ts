/**
 * The stages a record can be rejected at, in pipeline order. Counts, summary.json, the terminal
 * summary, the report and the reject grouping all iterate this list rather than naming stages.
 */
export const STAGES = ['read', 'map', 'validate', 'api'] as const;

export type Stage = (typeof STAGES)[number];

export type ByStage = Record<Stage, number>;

export function zeroByStage(): ByStage {
  return { read: 0, map: 0, validate: 0, api: 0 };
}

export function isStage(s: unknown): s is Stage {
  return typeof s === 'string' && (STAGES as readonly string[]).includes(s);
}
