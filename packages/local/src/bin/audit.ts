import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  type AuditExport,
  checkpointStoreFromEnv,
  exportEntity,
  type Finding,
  sealAuditChain,
  verifyChains,
  verifyExport,
} from '@auditflow/audit';
import { createDb } from '@auditflow/db';
import { localDataDir } from '../data-dir';
import { stackFile } from '../stack';

const USAGE = `usage: npm run audit -- <command>
  verify [--tenant <t>] [--json] [--rebuild-here]
                                            recompute the chains and compare them with the rows and the
                                            stored checkpoints; exits 1 on any finding. --rebuild-here
                                            rebuilds each row's content text here, not in Postgres
  export --tenant <t> --entity <id> [--out <file>]
                                            one entity's history with the proofs of each row (JSON)
  check-export <file> [--json]              check an export offline; exits 1 on any finding
  seal                                      seal committed history and write checkpoints now
Uses DATABASE_URL (the operator's role), or the database of the running \`npm start\`; checkpoints
from AUDIT_CHECKPOINT_BUCKET (S3) or AUDIT_CHECKPOINT_DIR, else .data/checkpoints.`;

const describe = (finding: Finding) =>
  `${finding.kind} in tenant ${finding.tenantId}` +
  (finding.seq !== undefined ? ` at seq ${finding.seq}` : '') +
  (finding.row ? `: ${finding.row.kind} ${finding.row.id}` : '') +
  ` (${finding.detail})`;

/** `npm run audit -- <command>`: the tamper evidence of the history tables. */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      entity: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      'rebuild-here': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === 'check-export') {
    const [file] = rest;
    if (!file) throw new Error('check-export needs a file');
    const document = JSON.parse(await fs.readFile(file, 'utf8')) as AuditExport;
    const findings = verifyExport(document);
    if (values.json) console.log(JSON.stringify({ ok: findings.length === 0, findings }));
    else if (findings.length === 0) console.log(`export of ${document.entityId}: every row proven`);
    else
      for (const finding of findings)
        console.log(`${finding.kind} ${finding.rowId ?? ''}: ${finding.detail}`);
    return findings.length === 0 ? 0 : 1;
  }
  const db = createDb({ target: { connectionString: await databaseUrl() }, max: 1 });
  try {
    switch (command) {
      case 'verify': {
        const store = checkpointStoreFromEnv();
        const report = await verifyChains(
          db,
          store,
          values.tenant ? { tenantId: values.tenant } : {},
        );
        if (values.json) {
          console.log(JSON.stringify(report));
        } else {
          for (const tenant of report.tenants) {
            console.log(
              `${tenant.ok ? 'ok  ' : 'FAIL'} ${tenant.tenantId}: ${tenant.entries} entries, ` +
                `${tenant.rowsCompared} rows compared, ${tenant.pruned} pruned events, ` +
                `${tenant.checkpoints} checkpoints up to seq ${tenant.anchoredSeq}, ` +
                `${tenant.unanchored} entries not yet checkpointed, ${tenant.unsealed} rows not yet sealed`,
            );
            for (const finding of tenant.findings) console.log(`     ${describe(finding)}`);
          }
          console.log(
            report.ok
              ? `verified ${report.rows} rows against ${store.description} in ${Math.round(report.durationMs)} ms`
              : `first finding: ${report.first ? describe(report.first) : 'none'}`,
          );
        }
        return report.ok ? 0 : 1;
      }
      case 'export': {
        if (!values.tenant || !values.entity) throw new Error('export needs --tenant and --entity');
        const document = await exportEntity(db, checkpointStoreFromEnv(), {
          tenantId: values.tenant,
          entityId: values.entity,
        });
        const text = `${JSON.stringify(document, null, 2)}\n`;
        if (values.out) await fs.writeFile(values.out, text);
        else process.stdout.write(text);
        return 0;
      }
      case 'seal': {
        console.log(`sealed ${await sealAuditChain(db)} rows`);
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    await db.destroy();
  }
}

async function databaseUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  try {
    const stack = JSON.parse(await fs.readFile(stackFile(localDataDir()), 'utf8')) as {
      databaseUrl: string;
    };
    return stack.databaseUrl;
  } catch {
    throw new Error('No database: set DATABASE_URL, or run `npm start` first.');
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
