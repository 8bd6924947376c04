export type { Envelope } from './envelope-schema';
export { listDeadLetters, pruneInbox, recordDeadLetter, recordInboxEvent } from './inbox';
export {
  createSubscriberHandler,
  type SubscribedEvent,
  type SubscriberOptions,
  type SubscriberOutcome,
} from './subscriber-handler';
