import { defineAggregate } from '@auditflow/write-unit';

export const ewaRequests = defineAggregate({ type: 'ewa_request', table: 'ewa_requests' });
