/**
 * The flags of `run` and `validate` as commander hands them over. Apart from the command's code
 * (`run-command.ts`) so that declaring the commands loads none of what running one needs.
 */
import type { LogFormat } from './logger.js';

export interface RunFlags {
  target: string;
  out?: string;
  dryRun?: boolean;
  resume?: boolean;
  fresh?: boolean;
  limit?: number;
  var: Record<string, string>;
  quiet?: boolean;
  logFormat?: LogFormat;
  debug?: boolean;
  state?: string;
  full?: boolean;
  acceptDelta?: boolean;
  metricsFile?: string;
  pushgateway?: string;
}

export const PUSHGATEWAY_ENV = 'PROPEL_ETL_PUSHGATEWAY';
