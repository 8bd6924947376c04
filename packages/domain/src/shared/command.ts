/** Which aggregate a command targets, and the version the caller expects (If-Match). */
export interface Target {
  id: string;
  expectedVersion?: number | null;
}
