import type { DeferredPasses } from '../stages/7-send/deferred/index.js';
import type { RunProbe } from '../outputs/progress/run-probe.js';
import type { BatchSender } from '../stages/7-send/send-stream.js';

/**
 * The run's sender, the one place its wrappers are put together, used as is by the main stream
 * and by every deferred pass: the target's client, inside it refusals held back for a later pass
 * (DeferredPasses.wrap), outermost the probe counting batches in flight (so a batch is in flight
 * until its outcomes, held or not, are decided).
 */
export function composeSender(client: BatchSender, w: { readonly deferred?: DeferredPasses; readonly probe: RunProbe }): BatchSender {
  const holding = w.deferred !== undefined ? w.deferred.wrap(client) : client;
  return w.probe.wrapSender(holding);
}
