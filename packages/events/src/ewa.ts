import { z } from 'zod';
import { calendarDate, currencyCode, externalId, minorUnits, reasonText } from './primitives';

const requestFigures = {
  employeeId: externalId,
  amountMinor: minorUnits,
  currency: currencyCode,
  periodStart: calendarDate,
  periodEnd: calendarDate,
};

/** Earned-wage-access request events, by versioned type. */
export const ewaEvents = {
  'ewa.request_created.v1': z.strictObject(requestFigures),
  'ewa.request_approved.v1': z.strictObject({ approvedBy: z.string().min(1), ...requestFigures }),
  'ewa.request_declined.v1': z.strictObject({ declinedBy: z.string().min(1), reason: reasonText }),
  'ewa.request_disbursed.v1': z.strictObject({ disbursedBy: z.string().min(1), ...requestFigures }),
  'ewa.request_settled.v1': z.strictObject({ settledByRunId: z.uuid(), ...requestFigures }),
} as const;
