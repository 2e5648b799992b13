/**
 * `npm run ensure-tables`: creates the product's Tablestore tables in the real instance (once per
 * deployment, before the first request; idempotent). Reads the same environment as the functions
 * (TABLESTORE_INSTANCE, FLEET_REGION or TABLESTORE_ENDPOINT, TABLESTORE_TABLE_PREFIX) and the
 * deployer's keys from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET (/ _SECURITY_TOKEN).
 */
import { loadConfig } from '../lib/core/config';
import { ensureTables } from '../lib/store';

async function main() {
  const cfg = loadConfig(process.env);
  const accessKeyId = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const accessKeySecret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (!accessKeyId || !accessKeySecret)
    throw new Error('set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  const securityToken = process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
  const out = await ensureTables({
    client: {
      endpoint: cfg.tablestore.endpoint,
      instance: cfg.tablestore.instance,
      credentials: { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) },
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
