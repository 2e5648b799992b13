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
import { createLogger } from '../../lib/core/log';

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
    quotas: api('quotas'),
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
      'ecs.stopInstance': 'InvalidInstanceId.NotFound',
      'quotas.getProductQuota': 'RAM.PERMISSION.DENIED', // Quota Center's own denial
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
      'ecs:StopInstance',
      'quotas:GetProductQuota',
      'ecs:DescribeSecurityGroups',
      'vpc:DescribeRouteTableList',
      'ecs:DescribeInvocationResults',
      'ecs:RunCommand',
    ].map((a) => by[a]?.allowed),
    [null, true, true, false, null, null, true, true, false, true, true, true, null],
  );
  assert.is(by['ecs:RunInstances']!.code, 'InvalidParameter');
  assert.match(by['vpc:DeleteVpc']!.how, /unknown/);
});

test('expected probe misses log at debug; a DryRun answered otherwise than DryRunOperation warns, naming the action', async () => {
  const lines: Array<{ level: string; msg: string; action?: string; code?: string; denied?: string[] }> = [];
  const log = createLogger({}, { level: 'debug', write: (l) => lines.push(JSON.parse(l)) });
  const out = await auditPermissions(
    clientRefusing({
      'ecs.deleteInstance': 'InvalidInstanceId.NotFound', // placeholder refused after RAM: expected
      'vpc.createVpc': 'DryRunOperation', // the answer a DryRun should give
      'vpc.describeVpcs': 'Forbidden.RAM', // a finding, not a fault
      'ecs.runInstances': 'InvalidParameter', // a DryRun answered with something unexpected
      'vpc.describeRouteEntryList': 'InvalidRouteTableId.NotFound', // read probe on a placeholder: expected
    }),
    { log },
  );
  assert.ok(out.length > 20);
  const warns = lines.filter((l) => l.level === 'warn');
  assert.equal(
    warns.map((l) => [l.action, l.code]),
    [['ecs:RunInstances', 'InvalidParameter']],
  );
  assert.match(warns[0]!.msg, /DryRun probe did not answer DryRunOperation/);
  const debug = lines.filter((l) => l.level === 'debug').map((l) => l.action);
  for (const action of ['ecs:DeleteInstance', 'vpc:CreateVpc', 'vpc:DescribeRouteEntryList', 'ecs:DescribeZones'])
    assert.ok(debug.includes(action), action);
  const summary = lines.filter((l) => l.level === 'info');
  assert.is(summary.length, 1);
  assert.equal(summary[0]!.denied, ['vpc:DescribeVpcs']);
});

test.run();
