/** The exit codes of the contract: what a scheduler acts on. */
export const EXIT = {
  ok: 0,
  rejects: 1,
  usage: 2,
  aborted: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
