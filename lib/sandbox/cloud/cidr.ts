/** IPv4 CIDR arithmetic for VPC/VSwitch validation and private IP allocation. */

export interface Cidr {
  base: number;
  prefix: number;
}

export function parseIp(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((x) => x > 255)) return null;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export const formatIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Parses `a.b.c.d/n`; null when malformed or when host bits are set. */
export function parseCidr(s: string): Cidr | null {
  const [ip, p, extra] = s.split('/');
  if (!ip || p === undefined || extra !== undefined || !/^\d{1,2}$/.test(p)) return null;
  const base = parseIp(ip);
  const prefix = Number(p);
  if (base === null || prefix > 32) return null;
  if (prefix < 32 && (base & (0xffffffff >>> prefix)) !== 0) return null;
  return { base, prefix };
}

export const size = (c: Cidr) => 2 ** (32 - c.prefix);
const end = (c: Cidr) => c.base + size(c) - 1;

export const contains = (outer: Cidr, inner: Cidr) => inner.base >= outer.base && end(inner) <= end(outer);
export const overlaps = (a: Cidr, b: Cidr) => a.base <= end(b) && b.base <= end(a);

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((x) => parseCidr(x)!);
/** VPC CIDR blocks: inside the RFC 1918 ranges, /8 to /28 (Alibaba also reserves 100.64.0.0/10). */
export const isPrivateRange = (c: Cidr) => PRIVATE.some((p) => contains(p, c));

/**
 * Usable private addresses of a VSwitch: Alibaba reserves the first address and the last
 * three of every VSwitch CIDR block.
 */
export function usableCount(c: Cidr): number {
  return Math.max(0, size(c) - 4);
}

/** The lowest free usable address of a VSwitch, or null when full. */
export function nextFreeIp(c: Cidr, used: Set<string>): string | null {
  for (let n = c.base + 1; n <= c.base + size(c) - 4; n++) {
    const ip = formatIp(n);
    if (!used.has(ip)) return ip;
  }
  return null;
}
