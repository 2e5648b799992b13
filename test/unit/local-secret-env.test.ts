import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSecretEnvName } from '../../lib/local/capture';

// The local host keeps these out of the cached s.yaml render (on disk) and the secret scan records them.
test('secret-bearing variables are recognised, ordinary ones are not', () => {
  for (const name of [
    'FLEET_ADMIN_TOKEN',
    'FLEET_ADMIN_TOKEN_SHA256',
    'FLEET_MASTER_KEY',
    'FLEET_CERT_KEY',
    'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    'ALIBABA_CLOUD_SECURITY_TOKEN',
  ]) {
    assert.ok(isSecretEnvName(name), name);
  }
  for (const name of ['FLEET_REGION', 'TABLESTORE_INSTANCE', 'FLEET_CERT_NAME', 'FLEET_CERT_PEM', 'PORT']) {
    assert.not.ok(isSecretEnvName(name), name);
  }
});

test.run();
