/**
 * The Resource Center types a scan inventories, in the order the Describe path lists them: one
 * list for the inventory domain and the console's filter (which may import only lib/core).
 */
export const ASSET_TYPES = [
  'ACS::ECS::Instance',
  'ACS::ECS::Disk',
  'ACS::ECS::SecurityGroup',
  'ACS::VPC::VPC',
  'ACS::VPC::VSwitch',
  'ACS::VPC::RouteTable',
  'ACS::EIP::EipAddress',
] as const;
export type AssetType = (typeof ASSET_TYPES)[number];
