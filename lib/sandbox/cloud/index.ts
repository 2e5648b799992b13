/**
 * The simulated resources of the local Alibaba Cloud (ECS 2014-05-26, VPC 2016-04-28,
 * ResourceCenter 2022-12-01), for the sandbox front door (lib/sandbox/openapi).
 */
import type { CloudModule, OpHandler, ProductModule } from '../openapi/types';
import { describeAvailableResource, describeImages, describeInstanceTypes, describeRegions, describeZones } from './ecs-catalog';
import { createKeyPair, deleteKeyPairs, describeKeyPairs, importKeyPair } from './ecs-key-pairs';
import { listResources } from './inventory';
import { seedAccount } from './seed';

const ecsOps: Record<string, OpHandler> = {
  DescribeRegions: describeRegions,
  DescribeZones: describeZones,
  DescribeAvailableResource: describeAvailableResource,
  DescribeImages: describeImages,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeKeyPairs: describeKeyPairs,
  ImportKeyPair: importKeyPair,
  CreateKeyPair: createKeyPair,
  DeleteKeyPairs: deleteKeyPairs,
};

export const ecsProduct: ProductModule = { product: 'Ecs', version: '2014-05-26', ops: ecsOps };
export const vpcProduct: ProductModule = { product: 'Vpc', version: '2016-04-28', ops: {} };
export const resourceCenterProduct: ProductModule = { product: 'ResourceCenter', version: '2022-12-01', ops: {} };

/** What the front door imports. */
export const cloudModule: CloudModule = {
  products: [ecsProduct, vpcProduct, resourceCenterProduct],
  seedAccount,
  listResources,
};
