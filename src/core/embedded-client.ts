/**
 * The client the embedded emulator accepts (targets `local` and `demo`). In core rather than beside
 * the emulator: a delta state names it (`state/target-identity.ts`) on runs that never start an
 * emulator, and the state must not reach into the emulator to learn it.
 */
export interface EmulatorClient {
  readonly id: string;
  readonly secret: string;
}

export const DEFAULT_CLIENT: EmulatorClient = { id: 'propel-etl-local', secret: 'local-secret' };
