/**
 * Input schemas of the server API (docs/API.md §1 "Servers"), with the defaults of the seed
 * documents filled in. Limits are Alibaba's where Alibaba has one (instance and key pair names,
 * bandwidth, disk sizes, user data, tags), so a spec that passes here is not refused later for
 * its shape. Messages state the rule and never echo a value.
 */
import { z } from 'zod';
import { UNSAFE_TEXT } from '../auth/schema';
import { ACCOUNT_ID_RE, REGION_ID_RE } from '../core/ids';
import type { ServerSpec } from './model';

const ACCOUNT_ID = z.string().regex(ACCOUNT_ID_RE, 'an account id looks like "acc-" and 16 letters or digits');
const REGION_ID = z.string().regex(REGION_ID_RE, 'a region id looks like "cn-hangzhou"');
const ZONE_ID = z.string().regex(/^[a-z]{2}(-[a-z0-9]+){1,4}$/, 'a zone id looks like "cn-hangzhou-h"');
/** ECS InstanceName and KeyPairName: 2-128 characters, a letter first (no spaces, no markup). */
const ECS_NAME = z
  .string()
  .regex(
    /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5._:-]{1,127}$/u,
    'is 2-128 characters: a letter first, then letters, digits, ".", "_", ":" or "-"',
  )
  .refine((s) => !/^https?:\/\//i.test(s), 'may not start with http:// or https://');
const INSTANCE_TYPE = z
  .string()
  .regex(/^ecs\.[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'an instance type looks like "ecs.g6.large"');
const IMAGE_ID = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/,
    'an image id looks like "m-bp1…" or "ubuntu_22_04_x64_20G_alibase_….vhd"',
  );

/** Dotted IPv4 with a prefix length; the address must be the network's first (`10.1.0.0/16`, not `10.1.2.3/16`). */
export function parseCidr(s: string): { base: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined;
  return { base, prefix };
}

export const formatCidr = (base: number, prefix: number) =>
  `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.')}/${prefix}`;

const CIDR = z.string().refine((s) => parseCidr(s) !== undefined, 'is an IPv4 CIDR block like "10.0.0.0/16"');

/** RFC 1918 ranges, the only ones a VPC may use; /8 to /24 so a /24 VSwitch fits. */
const PRIVATE = [parseCidr('10.0.0.0/8')!, parseCidr('172.16.0.0/12')!, parseCidr('192.168.0.0/16')!];
const VPC_CIDR = CIDR.refine((s) => {
  const c = parseCidr(s)!;
  return (
    c.prefix >= 8 &&
    c.prefix <= 24 &&
    PRIVATE.some((p) => c.prefix >= p.prefix && c.base - (c.base % 2 ** (32 - p.prefix)) === p.base)
  );
}, 'a VPC CIDR block is inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, with a prefix from /8 to /24');

const PORT_RANGE = z.string().refine((s) => {
  if (s === '-1/-1') return true;
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(s);
  return !!m && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= 65535;
}, 'a port range is "from/to" with 1 <= from <= to <= 65535 ("80/80"), or "-1/-1" for icmp');

const INGRESS = z
  .strictObject({ protocol: z.enum(['tcp', 'udp', 'icmp']), portRange: PORT_RANGE, sourceCidr: CIDR })
  .refine((r) => (r.protocol === 'icmp') === (r.portRange === '-1/-1'), {
    message: 'icmp rules take portRange "-1/-1"; tcp and udp take ports',
    path: ['portRange'],
  });

/** Keys a plain object must not be given (they would reach the prototype). */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Alibaba tag rules: ≤ 20 tags, keys 1-128 characters not starting with aliyun/acs:/http(s)://; ours (`fleet:`) are reserved. */
const TAGS = z
  .record(
    z
      .string()
      .min(1, 'a tag key is 1-128 characters')
      .max(128, 'a tag key is 1-128 characters')
      .refine(
        (k) => !/^(aliyun|acs:|https?:\/\/|fleet:)/i.test(k),
        'a tag key may not start with aliyun, acs:, http(s):// or fleet:',
      )
      .refine((k) => !UNSAFE_KEYS.has(k), 'this tag key is reserved')
      .refine((k) => !UNSAFE_TEXT.test(k), 'a tag key has no control, invisible or line-separator characters'),
    z
      .string()
      .max(128, 'a tag value is at most 128 characters')
      .refine((v) => !UNSAFE_TEXT.test(v), 'a tag value has no control, invisible or line-separator characters'),
  )
  .refine((t) => Object.keys(t).length <= 20, 'at most 20 tags');

const FUNCTION_NAME = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/,
    'an FC function name is 1-64 letters, digits, "_" or "-", not starting with a digit or "-"',
  );

const DEFAULT_INGRESS: ServerSpec['ingress'] = ['22/22', '80/80', '443/443'].map((portRange) => ({
  protocol: 'tcp',
  portRange,
  sourceCidr: '0.0.0.0/0',
}));

export const CREATE_SERVER = z
  .strictObject({
    accountId: ACCOUNT_ID,
    regionId: REGION_ID,
    name: ECS_NAME,
    instanceType: INSTANCE_TYPE,
    imageId: IMAGE_ID,
    keyPairName: ECS_NAME.optional(),
    zoneId: ZONE_ID.optional(),
    network: z
      .strictObject({
        mode: z.enum(['dedicated', 'shared', 'existing']).default('dedicated'),
        vpcId: z
          .string()
          .regex(/^vpc-[a-z0-9]{8,32}$/, 'a VPC id looks like "vpc-bp1…"')
          .optional(),
        vSwitchId: z
          .string()
          .regex(/^vsw-[a-z0-9]{8,32}$/, 'a VSwitch id looks like "vsw-bp1…"')
          .optional(),
        cidrBlock: VPC_CIDR.optional(),
      })
      .refine((n) => n.mode !== 'existing' || (n.vpcId && n.vSwitchId), {
        message: 'mode "existing" needs vpcId and vSwitchId',
        path: ['mode'],
      })
      .refine((n) => n.mode === 'existing' || (!n.vpcId && !n.vSwitchId), {
        message: 'vpcId and vSwitchId are only for mode "existing"',
        path: ['vpcId'],
      })
      .refine((n) => n.mode === 'dedicated' || !n.cidrBlock, {
        message: 'cidrBlock is only for mode "dedicated"',
        path: ['cidrBlock'],
      })
      .default({ mode: 'dedicated' }),
    ingress: z.array(INGRESS).max(50, 'at most 50 ingress rules').default(DEFAULT_INGRESS),
    publicIp: z
      .strictObject({
        type: z.enum(['eip', 'ephemeral', 'none']),
        bandwidthMbps: z.number().int('bandwidthMbps is a whole number').min(1).max(200).default(5),
      })
      .refine((p) => p.type !== 'ephemeral' || p.bandwidthMbps <= 100, {
        message: 'an ephemeral public IP has at most 100 Mbit/s (InternetMaxBandwidthOut)',
        path: ['bandwidthMbps'],
      })
      .default({ type: 'eip', bandwidthMbps: 5 }),
    systemDisk: z
      .strictObject({
        category: z.enum(['cloud_essd', 'cloud_ssd', 'cloud_efficiency', 'cloud_auto', 'cloud']).optional(),
        sizeGiB: z
          .number()
          .int()
          .min(20, 'a system disk is 20-500 GiB')
          .max(500, 'a system disk is 20-500 GiB')
          .optional(),
      })
      .optional(),
    userData: z
      .string()
      .max(16 * 1024, 'user data is at most 16 KiB')
      .optional(),
    tags: TAGS.default({}),
    route: z.strictObject({ destinationCidr: CIDR }).optional(),
    bootstrap: z
      .strictObject({
        script: z
          .string()
          .min(1, 'a bootstrap script is not empty')
          .max(16 * 1024, 'a bootstrap script is at most 16 KiB'),
        aptMirror: z.enum(['auto', 'off']).default('auto'),
        timeoutSeconds: z.number().int().min(10).max(86_400).default(600),
      })
      .optional(),
    notify: z.strictObject({ function: FUNCTION_NAME }).optional(),
  })
  .refine((s) => Buffer.byteLength(s.userData ?? '') <= 16 * 1024, {
    message: 'user data is at most 16 KiB',
    path: ['userData'],
  });

export const SERVER_ACTION = z.strictObject({
  id: z.string(),
  action: z.enum(['start', 'stop', 'reboot'], { error: 'action is "start", "stop" or "reboot"' }),
});

export const LIST_SERVERS = z.object({
  accountId: ACCOUNT_ID.optional(),
  status: z.enum(['queued', 'provisioning', 'ready', 'failed', 'deleting', 'deleted']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});
