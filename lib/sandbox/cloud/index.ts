/**
 * The simulated resources of the local Alibaba Cloud (ECS 2014-05-26, VPC 2016-04-28,
 * ResourceCenter 2022-12-01, Quota Center 2020-05-10), for the sandbox front door
 * (lib/sandbox/openapi), and the admin routes that script them (stock, command outcomes).
 */
import type { CloudModule, OpHandler, ProductModule } from '../openapi/types';
import {
  describeAvailableResource,
  describeImages,
  describeInstanceTypes,
  describeRegions,
  describeZones,
} from './ecs-catalog';
import {
  allocatePublicIpAddress,
  deleteInstance,
  describeDisks,
  describeInstances,
  describeInstanceStatus,
} from './ecs-instances';
import { describeInvocationResults, describeInvocations } from './ecs-invocations';
import { rebootInstance, startInstance, stopInstance } from './ecs-power';
import { runCommand } from './ecs-run-command';
import { commandOutcomesRoute } from './command-outcomes';
import { getProductQuota, listProductQuotas } from './quotas';
import { stockRoute } from './stock';
import { createKeyPair, deleteKeyPairs, describeKeyPairs, importKeyPair } from './ecs-key-pairs';
import { runInstances } from './ecs-run-instances';
import {
  authorizeSecurityGroup,
  createSecurityGroup,
  deleteSecurityGroup,
  describeSecurityGroupAttribute,
  describeSecurityGroups,
} from './ecs-security-groups';
import { listResources } from './inventory';
import {
  enableResourceCenter,
  getResourceCenterServiceStatus,
  listResourceTypes,
  searchResources,
} from './resource-center';
import { seedAccount } from './seed';
import { listTagResources, tagResources, untagResources } from './tags';
import {
  allocateEipAddress,
  associateEipAddress,
  describeEipAddresses,
  releaseEipAddress,
  unassociateEipAddress,
} from './vpc-eips';
import { createRouteEntry, deleteRouteEntry, describeRouteEntryList, describeRouteTableList } from './vpc-routes';
import { createVpc, deleteVpc, describeVpcs } from './vpc-vpcs';
import { createVSwitch, deleteVSwitch, describeVSwitches } from './vpc-vswitches';

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
  CreateSecurityGroup: createSecurityGroup,
  AuthorizeSecurityGroup: authorizeSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeSecurityGroupAttribute: describeSecurityGroupAttribute,
  DeleteSecurityGroup: deleteSecurityGroup,
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  DescribeDisks: describeDisks,
  DeleteInstance: deleteInstance,
  StopInstance: stopInstance,
  StartInstance: startInstance,
  RebootInstance: rebootInstance,
  RunCommand: runCommand,
  DescribeInvocations: describeInvocations,
  DescribeInvocationResults: describeInvocationResults,
  AllocatePublicIpAddress: allocatePublicIpAddress,
  TagResources: tagResources('Ecs'),
  UntagResources: untagResources('Ecs'),
  ListTagResources: listTagResources('Ecs'),
};

const vpcOps: Record<string, OpHandler> = {
  CreateVpc: createVpc,
  DescribeVpcs: describeVpcs,
  DeleteVpc: deleteVpc,
  CreateVSwitch: createVSwitch,
  DescribeVSwitches: describeVSwitches,
  DeleteVSwitch: deleteVSwitch,
  DescribeRouteTableList: describeRouteTableList,
  CreateRouteEntry: createRouteEntry,
  DeleteRouteEntry: deleteRouteEntry,
  DescribeRouteEntryList: describeRouteEntryList,
  AllocateEipAddress: allocateEipAddress,
  AssociateEipAddress: associateEipAddress,
  UnassociateEipAddress: unassociateEipAddress,
  ReleaseEipAddress: releaseEipAddress,
  DescribeEipAddresses: describeEipAddresses,
  TagResources: tagResources('Vpc'),
  UnTagResources: untagResources('Vpc'),
  ListTagResources: listTagResources('Vpc'),
};

const resourceCenterOps: Record<string, OpHandler> = {
  GetResourceCenterServiceStatus: getResourceCenterServiceStatus,
  EnableResourceCenter: enableResourceCenter,
  ListResourceTypes: listResourceTypes,
  SearchResources: searchResources,
};

export const quotasProduct: ProductModule = {
  product: 'Quotas',
  version: '2020-05-10',
  ops: { ListProductQuotas: listProductQuotas, GetProductQuota: getProductQuota },
};

export const ecsProduct: ProductModule = { product: 'Ecs', version: '2014-05-26', ops: ecsOps };
export const vpcProduct: ProductModule = { product: 'Vpc', version: '2016-04-28', ops: vpcOps };
export const resourceCenterProduct: ProductModule = {
  product: 'ResourceCenter',
  version: '2022-12-01',
  ops: resourceCenterOps,
};

/** What the front door imports. */
export const cloudModule: CloudModule = {
  products: [ecsProduct, vpcProduct, resourceCenterProduct, quotasProduct],
  seedAccount,
  listResources,
  admin: { stock: stockRoute, 'command-outcomes': commandOutcomesRoute },
};
