import { relayHandler } from '@auditflow/outbox/relay-lambda';

/** Invoked every minute by EventBridge Scheduler: drains the outbox to the bus. */
export const handler = relayHandler;
