import { parseArgs } from 'node:util';
import { SCOPES } from '@auditflow/functions';
import { localDataDir } from '../data-dir';
import { loadOrCreateKey, signDevToken } from '../dev-jwt';

/**
 * `npm run token -- --tenant <t> --sub <user> [--scope "payroll:read payroll:submit"]`:
 * prints a development token the local gateway accepts (its last line, so
 * `$(npm run -s token -- ...)` works). Without `--scope` it carries every
 * business scope; `--scope` may be repeated.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      sub: { type: 'string' },
      scope: { type: 'string', multiple: true },
      'expires-in': { type: 'string', default: '12h' },
    },
  });
  if (!values.tenant || !values.sub) {
    console.error(
      `usage: npm run token -- --tenant <tenant id> --sub <user id> [--scope "<scope> ..."] [--expires-in 12h]\nscopes: ${Object.values(SCOPES).join(' ')}`,
    );
    process.exit(2);
  }
  const scopes = values.scope?.flatMap((scope) => scope.split(/\s+/)).filter((s) => s !== '');
  const known = new Set<string>(Object.values(SCOPES));
  const unknown = (scopes ?? []).filter((scope) => !known.has(scope));
  if (unknown.length > 0) {
    console.error(`unknown scope: ${unknown.join(', ')}; choose from ${[...known].join(' ')}`);
    process.exit(2);
  }
  const key = await loadOrCreateKey(localDataDir());
  console.log(
    await signDevToken(key, {
      tenant: values.tenant,
      sub: values.sub,
      ...(scopes && { scopes }),
      expiresIn: values['expires-in'],
    }),
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
