import fs from 'node:fs/promises';
import { localDataDir } from '../data-dir';
import { stackFile } from '../stack';

interface StackDescription {
  databaseUrl?: string;
  subscriberDatabaseUrl?: string;
}

async function readStack(): Promise<StackDescription | undefined> {
  try {
    return JSON.parse(await fs.readFile(stackFile(localDataDir()), 'utf8')) as StackDescription;
  } catch {
    return undefined;
  }
}

/** The operator's database: DATABASE_URL, or the running `npm start`'s. */
export async function operatorDatabaseUrl(env = process.env): Promise<string> {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const url = (await readStack())?.databaseUrl;
  if (!url) throw new Error('No database: set DATABASE_URL, or run `npm start` first.');
  return url;
}

/**
 * What a subscriber's handler connects with when a local redrive delivers to
 * it: SUBSCRIBER_DATABASE_URL, or the subscribers' role of the running
 * `npm start`. Not the operator's: the handler writes as subscribers do.
 */
export async function subscriberDatabaseUrl(env = process.env): Promise<string> {
  if (env.SUBSCRIBER_DATABASE_URL) return env.SUBSCRIBER_DATABASE_URL;
  const url = (await readStack())?.subscriberDatabaseUrl;
  if (!url) {
    throw new Error(
      'No database for the subscribers: set SUBSCRIBER_DATABASE_URL (their role, auditflow_api), or run `npm start` first.',
    );
  }
  return url;
}
