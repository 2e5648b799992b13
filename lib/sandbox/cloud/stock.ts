/**
 * Admin stock overrides (`/__sandbox/accounts/{id}/stock`): mark an instance type (or a whole
 * zone) sold out or back in stock, on top of the sandbox's fixed stock rule (catalog.ts).
 * DescribeZones, DescribeAvailableResource (`SoldOut`/`WithoutStock`) and RunInstances
 * (`OperationDenied.NoStock`) all read them.
 */
import { AdminError, type CloudAdminRoute } from '../openapi/types';
import { catalogOf } from './catalog';
import { stateOf, type StockOverride } from './state';

const MAX_OVERRIDES = 1000;

function parse(input: Record<string, unknown>, seed: unknown, regions: string[]): StockOverride {
  const { zoneId, instanceType, inStock } = input;
  const cat = catalogOf(seed);
  const zone = cat.zones.find((z) => z.zoneId === zoneId);
  if (typeof zoneId !== 'string' || !zone || !regions.includes(zone.regionId))
    throw new AdminError(400, 'zoneId must be a zone of one of the account regions');
  if (instanceType !== undefined && !cat.instanceTypes.some((t) => t.instanceTypeId === instanceType))
    throw new AdminError(400, 'instanceType must be a known instance type (or absent for every type of the zone)');
  if (typeof inStock !== 'boolean') throw new AdminError(400, 'inStock must be a boolean');
  return { zoneId, ...(instanceType !== undefined ? { instanceType: instanceType as string } : {}), inStock };
}

/** `POST {zoneId, instanceType?, inStock}` adds an override (latest wins), `GET` lists, `DELETE` clears. */
export const stockRoute: CloudAdminRoute = (account, method, input, { seed }) => {
  const s = stateOf(account);
  if (method === 'POST') {
    const o = parse(input, seed, account.regions);
    const rest = (s.stockOverrides ?? []).filter((x) => x.zoneId !== o.zoneId || x.instanceType !== o.instanceType);
    s.stockOverrides = [...rest, o].slice(-MAX_OVERRIDES);
    return { overrides: s.stockOverrides };
  }
  if (method === 'DELETE') {
    const cleared = s.stockOverrides?.length ?? 0;
    s.stockOverrides = [];
    return { cleared };
  }
  return { overrides: s.stockOverrides ?? [] };
};
