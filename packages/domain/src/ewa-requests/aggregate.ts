import { defineAggregate } from '@auditflow/outbox';

export const ewaRequests = defineAggregate({ type: 'ewa_request', table: 'ewa_requests' });
