import { startEmulator, type EmulatorOptions } from '../emulator/index.js';

export interface EmulatorCommandOptions {
  port: number;
  host: string;
  latency?: number;
  capacity?: number;
  tokenLifetime?: number;
  clientId?: string;
  clientSecret?: string;
}

/** `propel-etl emulator`: runs until SIGINT/SIGTERM, printing the settings a target needs. */
export async function startEmulatorCommand(flags: EmulatorCommandOptions): Promise<void> {
  const options: EmulatorOptions = {
    host: flags.host,
    port: flags.port,
    ...(flags.tokenLifetime !== undefined ? { tokenLifetimeSec: flags.tokenLifetime } : {}),
    ...(flags.clientId !== undefined && flags.clientSecret !== undefined ? { clients: [{ id: flags.clientId, secret: flags.clientSecret }] } : {}),
    faults: {
      ...(flags.latency !== undefined ? { latencyMs: flags.latency } : {}),
      ...(flags.capacity !== undefined ? { capacity: flags.capacity } : {}),
    },
  };
  const emu = await startEmulator(options);
  const client = emu.clients[0];
  process.stdout.write(`${emu.baseUrl}\n`);
  process.stderr.write(
    `Propel emulator listening. Point the propel target at it:\n` +
      `  PROPEL_BASE_URL=${emu.baseUrl} PROPEL_TOKEN_URL=${emu.tokenUrl} PROPEL_CLIENT_ID=${client?.id ?? ''} PROPEL_CLIENT_SECRET=<the emulator's secret>\n` +
      `Read back the store at ${emu.origin}/__emulator/store/users and /usergroups. Ctrl-C stops it.\n`,
  );
  const stop = (): void => {
    void emu.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
