import { v7 } from 'uuid';

/** A new time-ordered id (UUIDv7): ids sort by creation, which keyset pagination relies on. */
export const newId = (): string => v7();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID Postgres will accept as one. */
export const isUuid = (value: string): boolean => UUID.test(value);
