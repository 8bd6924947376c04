import { parseArgs } from 'node:util';
import { localDataDir } from '../data-dir';
import { loadOrCreateKey, signDevToken } from '../dev-jwt';

/**
 * `npm run token -- --tenant <t> --sub <user>`: prints a development token the
 * local gateway accepts (its last line, so `$(npm run -s token -- ...)` works).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      sub: { type: 'string' },
      'expires-in': { type: 'string', default: '12h' },
    },
  });
  if (!values.tenant || !values.sub) {
    console.error(
      'usage: npm run token -- --tenant <tenant id> --sub <user id> [--expires-in 12h]',
    );
    process.exit(2);
  }
  const key = await loadOrCreateKey(localDataDir());
  console.log(
    await signDevToken(key, {
      tenant: values.tenant,
      sub: values.sub,
      expiresIn: values['expires-in'],
    }),
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
