import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LOGIN_ROLES, type LoginRole, type LoginRolePasswords } from '@auditflow/db';

/**
 * The local login roles' passwords, created on first use and kept in the
 * data directory (mode 0600) so they survive restarts. Development only; in
 * AWS they are stage secrets.
 */
export async function loadOrCreateRolePasswords(dataDir: string): Promise<LoginRolePasswords> {
  const file = path.join(dataDir, 'role-passwords.json');
  const generated = Object.fromEntries(
    (Object.keys(LOGIN_ROLES) as LoginRole[]).map((role) => [
      role,
      randomBytes(24).toString('base64url'),
    ]),
  ) as LoginRolePasswords;
  await fs.mkdir(dataDir, { recursive: true });
  // wx: if another process created it meanwhile, keep theirs.
  await fs.writeFile(file, JSON.stringify(generated), { flag: 'wx', mode: 0o600 }).catch(() => {});
  return JSON.parse(await fs.readFile(file, 'utf8')) as LoginRolePasswords;
}
