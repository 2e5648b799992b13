/**
 * `npm run ensure-tables`: creates the product's Tablestore tables in the real instance (once per
 * deployment, before the first request; idempotent). Reads the same environment as the functions
 * (TABLESTORE_INSTANCE, FLEET_REGION or TABLESTORE_ENDPOINT, TABLESTORE_TABLE_PREFIX) and the
 * deployer's credentials from `@alicloud/credentials`' default chain (environment, profile, RAM role).
 */
import { defaultChainCredentials } from '../lib/cloud/default-credentials';
import { loadConfig } from '../lib/core/config';
import { ensureTables } from '../lib/store';

async function main() {
  const cfg = loadConfig(process.env);
  const out = await ensureTables({
    client: {
      endpoint: cfg.tablestore.endpoint,
      instance: cfg.tablestore.instance,
      credentials: await defaultChainCredentials(),
    },
    tablePrefix: cfg.tablestore.tablePrefix,
  });
  process.stdout.write(
    `${cfg.tablestore.endpoint} (${cfg.tablestore.instance}): created [${out.created.join(', ')}], existing [${out.existing.join(', ')}]\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`ensure-tables failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
