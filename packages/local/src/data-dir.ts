import path from 'node:path';

/** Where the local stack keeps its state (git-ignored): `.data` under the working directory. */
export const localDataDir = (): string =>
  path.resolve(process.env.AUDITFLOW_DATA_DIR ?? path.join(process.cwd(), '.data'));
