/**
 * The permission audit's verdicts: only a success, a DryRunOperation, or a not-found answer for a
 * placeholder id (checked after RAM) prove a permission; a denial disproves it; any other
 * refusal leaves it unknown (`null`): it may have come before the permission check.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { auditPermissions } from '../../lib/accounts/audit';
import { classify, toCloudAppError } from '../../lib/cloud/errors';
import type { CloudClient } from '../../lib/cloud/types';

const refusal = (code: string, action: string, statusCode = 400) =>
  toCloudAppError(classify({ code, statusCode, data: { Code: code } }, action));

/** A client whose calls succeed, except those listed: `{'ecs.runInstances': 'InvalidParameter'}`. */
function clientRefusing(codes: Record<string, string>): CloudClient {
  const api = (product: string) =>
    new Proxy(
      {},
      {
        get: (_t, method) => async () => {
          const code = codes[`${product}.${String(method)}`];
          if (code) throw refusal(code, `${product[0]!.toUpperCase()}${product.slice(1)}:${String(method)}`);
          return [];
        },
      },
    );
  return {
    regionId: 'cn-hangzhou',
    sts: api('sts'),
    ecs: api('ecs'),
    vpc: api('vpc'),
    resourceCenter: api('resourceCenter'),
    kms: api('kms'),
  } as unknown as CloudClient;
}

test('only success, DryRunOperation or a placeholder not-found prove a permission; other refusals are unknown', async () => {
  const out = await auditPermissions(
    clientRefusing({
      'ecs.runInstances': 'InvalidParameter', // refused on parameters: maybe before RAM
      'ecs.deleteInstance': 'InvalidInstanceId.NotFound',
      'vpc.createVpc': 'DryRunOperation',
      'vpc.describeVpcs': 'Forbidden.RAM',
      'vpc.deleteVpc': 'OperationDenied',
      'resourceCenter.searchResources': 'ServiceNotEnabled',
    }),
  );
  const by = Object.fromEntries(out.map((p) => [p.action, p]));
  assert.equal(
    [
      'ecs:RunInstances',
      'ecs:DeleteInstance',
      'vpc:CreateVpc',
      'vpc:DescribeVpcs',
      'vpc:DeleteVpc',
      'resourcecenter:SearchResources',
      'ecs:DescribeZones',
    ].map((a) => by[a]?.allowed),
    [null, true, true, false, null, null, true],
  );
  assert.is(by['ecs:RunInstances']!.code, 'InvalidParameter');
  assert.match(by['vpc:DeleteVpc']!.how, /unknown/);
});

test.run();
