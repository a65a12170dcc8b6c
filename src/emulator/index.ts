/** The Propel emulator's public API. */
export { startEmulator, DEFAULT_CLIENT, type Emulator, type EmulatorOptions } from './server.js';
export type { Faults, FailFault, ThrottleFault } from './faults.js';
export type { EmulatorStore, StoredItem, StoreSnapshot } from './store.js';
export type { RequestLog, LogEntry, LogSnapshot, LogStatus } from './request-log.js';
export type { EmulatorClient, TokenShape, TokenResponse } from './token-store.js';
export type { ItemResult, BulkResponse } from './bulk-handler.js';
export type { Directive } from './directives.js';
export { everitMessage } from './schema-messages.js';
