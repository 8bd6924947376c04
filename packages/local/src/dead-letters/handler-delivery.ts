import { loadHandler, type Subscription } from '@auditflow/functions';
import type { Deliver } from '@auditflow/operator/redrive';
import { lambdaContext } from '../lambda-context';

type TargetHandler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Delivers an event again to a subscriber's handler, loaded and called as the
 * local bus calls it (same entry point, a Lambda context of its name). The
 * handler connects as the subscribers do, through DATABASE_URL. Delivered
 * means it answered `processed` or `duplicate`; a throw, or `dead-lettered`
 * (it refused the event and kept a new letter), is not.
 */
export function handlerDelivery(subscription: Subscription, root: string): Deliver {
  let handler: Promise<TargetHandler> | undefined;
  return async (event) => {
    handler ??= loadHandler<TargetHandler>(subscription.handler, root);
    const outcome = await (await handler)(event, lambdaContext(subscription.name));
    if (outcome === 'processed' || outcome === 'duplicate') {
      return { delivered: true, outcome };
    }
    return { delivered: false, reason: `the subscriber answered ${JSON.stringify(outcome)}` };
  };
}
