import { describeTarget, resolveConnectionTarget } from '@auditflow/db';
import { describe, expect, it } from 'vitest';

const linked = {
  host: 'db.internal',
  port: '5432',
  username: 'app',
  password: 's3cret',
  database: 'auditflow',
};

describe('where the database is', () => {
  it('prefers DATABASE_URL to the linked resource', () => {
    expect(
      resolveConnectionTarget({
        DATABASE_URL: ' postgres://u:p@h:1/d ',
        SST_RESOURCE_Database: JSON.stringify(linked),
      }),
    ).toEqual({ connectionString: 'postgres://u:p@h:1/d' });
  });

  it('reads the linked resource, with its port as a number, and never shows the password', () => {
    const target = resolveConnectionTarget({ SST_RESOURCE_Database: JSON.stringify(linked) });
    expect(target).toEqual({ ...linked, port: 5432 });
    expect(describeTarget(target)).toBe('postgres://app:***@db.internal:5432/auditflow');
    expect(describeTarget({ connectionString: 'postgres://u:pw@h:1/d' })).toBe(
      'postgres://u:***@h:1/d',
    );
  });

  it('names each wrong field of a linked resource, and refuses one that is not JSON', () => {
    expect(() =>
      resolveConnectionTarget({
        SST_RESOURCE_Database: JSON.stringify({ ...linked, host: '', port: 'x' }),
      }),
    ).toThrow(/not a database resource: host: Too small.*; port: Invalid input: expected number/);
    expect(() => resolveConnectionTarget({ SST_RESOURCE_Database: '{' })).toThrow(
      /SST_RESOURCE_Database is not JSON/,
    );
  });

  it('reads the login role resource DATABASE_RESOURCE names, not the master credentials', () => {
    const api = { ...linked, username: 'auditflow_api' };
    const target = resolveConnectionTarget({
      DATABASE_RESOURCE: 'DatabaseApi',
      SST_RESOURCE_Database: JSON.stringify(linked),
      SST_RESOURCE_DatabaseApi: JSON.stringify(api),
    });
    expect(target).toEqual({ ...api, port: 5432 });
    expect(() =>
      resolveConnectionTarget({
        DATABASE_RESOURCE: 'DatabaseApi',
        SST_RESOURCE_Database: JSON.stringify(linked),
      }),
    ).toThrow(/set DATABASE_URL/);
  });

  it('says what to set when nothing is configured', () => {
    expect(() => resolveConnectionTarget({})).toThrow(/set DATABASE_URL/);
  });
});
