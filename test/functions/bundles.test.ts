import path from 'node:path';
import { deployedHandlers, parseHandler } from '@auditflow/functions';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { SST_LIKE } from '../support/sst-bundle';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The functions that read or write the checkpoint bucket, and so need the S3 client. */
const S3_USERS = [
  'functions/api/operator/audit-export.handler',
  'functions/subscribers/store-audit-checkpoints.handler',
];

/** The npm packages whose code ends up in a handler's bundle, bundled as SST deploys it. */
async function bundledPackages(handler: string): Promise<Set<string>> {
  const result = await build({
    ...SST_LIKE,
    entryPoints: [path.join(ROOT, parseHandler(handler).file)],
    write: false,
    outfile: path.join(ROOT, '.bundle-check.mjs'),
  });
  const output = Object.values(result.metafile?.outputs ?? {})[0];
  const packages = new Set<string>();
  for (const [file, input] of Object.entries(output?.inputs ?? {})) {
    const name = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
    if (name && input.bytesInOutput > 0) packages.add(name);
  }
  return packages;
}

describe("the deployed functions' bundles", () => {
  it('carry the S3 client only where the checkpoint bucket is used', async () => {
    const withS3: string[] = [];
    for (const handler of deployedHandlers()) {
      if ((await bundledPackages(handler)).has('@aws-sdk/client-s3')) withS3.push(handler);
    }
    expect(withS3.sort()).toEqual(S3_USERS);
  }, 120_000);
});
