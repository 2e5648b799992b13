/**
 * Resource ids and addresses with Alibaba's shapes: `<prefix>-<region stem><lower-case alnum>`,
 * e.g. `i-bp1a2b3c4d5e6f7g8h9i` in cn-hangzhou.
 */
import { createHash, randomBytes } from 'node:crypto';
import { randomId } from '../../core/ids';

/** Region stems as they appear in public resource ids; other regions get a stable hashed stem. */
const STEMS: Record<string, string> = {
  'cn-hangzhou': 'bp1',
  'cn-beijing': '2ze',
  'cn-shanghai': 'uf6',
  'cn-shenzhen': 'wz9',
  'cn-qingdao': 'm5e',
  'cn-zhangjiakou': '8vb',
  'cn-huhehaote': 'hp3',
  'cn-wulanchabu': '0jl',
  'cn-hongkong': 'j6c',
  'cn-chengdu': '2vc',
  'cn-heyuan': 'f8z',
  'cn-guangzhou': '7xv',
  'ap-southeast-1': 't4n',
  'ap-southeast-3': '8ps',
  'ap-southeast-5': 'k1a',
  'ap-northeast-1': '6we',
  'ap-northeast-2': 'mj7',
  'us-west-1': 'rj9',
  'us-east-1': '0xi',
  'eu-central-1': 'gw8',
  'eu-west-1': 'd7o',
  'me-east-1': 'eb3',
};

export function regionStem(regionId: string): string {
  const known = STEMS[regionId];
  if (known) return known;
  const h = createHash('sha256').update(regionId).digest();
  const a = '0123456789abcdefghijklmnopqrstuvwxyz';
  return [0, 1, 2].map((i) => a[h[i]! % 36]).join('');
}

/** Total id body length after the prefix, per resource kind. */
const LENGTHS: Record<string, number> = { i: 20, d: 20, sg: 20, vpc: 21, vsw: 21, vrt: 21, vtb: 21, rte: 21, eip: 21 };

/** A new resource id, e.g. `newResourceId('vpc', 'cn-hangzhou')` → `vpc-bp1…` (21 chars). */
export function newResourceId(prefix: keyof typeof LENGTHS | string, regionId: string): string {
  const stem = regionStem(regionId);
  return `${prefix}-${stem}${randomId((LENGTHS[prefix] ?? 20) - stem.length)}`;
}

/** A public IPv4 address from Alibaba's 47.x space, unique among `taken`. */
export function newPublicIp(taken: Set<string>): string {
  for (;;) {
    const b = randomBytes(3);
    const ip = `47.${96 + (b[0]! % 27)}.${b[1]}.${1 + (b[2]! % 253)}`;
    if (!taken.has(ip)) return ip;
  }
}
