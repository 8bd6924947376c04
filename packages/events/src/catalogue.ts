import { auditEvents } from './audit';
import { ewaEvents } from './ewa';
import { payrollEvents } from './payroll';

/** Every event the system emits: versioned type -> schema of its data. */
export const eventCatalogue = { ...payrollEvents, ...ewaEvents, ...auditEvents } as const;

export type EventType = keyof typeof eventCatalogue;
