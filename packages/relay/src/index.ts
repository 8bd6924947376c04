export { type RetryPolicy, retryDelayMs } from './backoff';
export { createEventBridgeClient } from './client';
export { type RelayConfig, relayConfigFromEnv } from './config';
export { RELAY_DEFAULTS } from './defaults';
export {
  type EventEnvelope,
  entrySize,
  MAX_ENTRIES_PER_REQUEST,
  MAX_REQUEST_BYTES,
  toEntry,
  toEnvelope,
} from './envelope';
export type { EntryOutcome } from './publish';
export {
  createRelay,
  type DrainOptions,
  type PassResult,
  type Relay,
  type RelayOptions,
  type RelayTelemetry,
} from './relay';
export { prunePublished } from './statements';
export { powertoolsTelemetry } from './telemetry';
export {
  type CommitListener,
  createWakeSignal,
  type ListenOptions,
  listenForCommits,
  startCommitListener,
  type WakeSignal,
} from './wake';
