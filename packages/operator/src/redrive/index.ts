export { envSuffix, type SubscriberDlqConfig, subscriberDlqConfig } from './aws-config';
export { type ParsedDeadLetter, parseDeadLetter, type RedrivableEvent } from './dlq-message';
export { lambdaDelivery } from './lambda-delivery';
export {
  type DeadLetter,
  type DeadLetterSource,
  type Deliver,
  type Redelivery,
  type RedriveResult,
  readDeadLetters,
  redriveDeadLetters,
} from './redrive';
export { sqsDeadLetterSource } from './sqs-source';
