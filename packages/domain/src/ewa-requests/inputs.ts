import { calendarDate, currencyCode, externalId, minorUnits, reasonText } from '@auditflow/events';
import { z } from 'zod';

/** Body of `POST /ewa-requests`. Unknown fields are refused, not ignored. */
export const createEwaRequestInput = z
  .strictObject({
    employeeId: externalId,
    amountMinor: minorUnits.min(1, 'must be at least 1'),
    currency: currencyCode,
    periodStart: calendarDate,
    periodEnd: calendarDate,
  })
  .superRefine((request, ctx) => {
    if (request.periodEnd < request.periodStart) {
      ctx.addIssue({
        code: 'custom',
        path: ['periodEnd'],
        message: 'must not be before periodStart',
      });
    }
  });
export type CreateEwaRequestInput = z.infer<typeof createEwaRequestInput>;

export const declineEwaRequestInput = z.strictObject({ reason: reasonText });
export type DeclineEwaRequestInput = z.infer<typeof declineEwaRequestInput>;
