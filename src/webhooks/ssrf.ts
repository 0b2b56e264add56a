import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { validationError } from '../shared/errors.js';

/** Why an address is not a public unicast address; 'public' is the only class any client may reach. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'cgnat'
  | 'unique_local'
  | 'multicast'
  | 'unspecified'
  | 'ipv4_mapped'
  | 'reserved';

export interface TargetPolicy {
  mode: 'test' | 'live';
  /** Operator allowlist: host names (exact or `*.suffix`), IP addresses and CIDRs. */
  allowHosts: readonly string[];
}

export interface ResolvedTarget {
  url: URL;
  /** The checked address the connection must go to (never re-resolved). */
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/**
 * The host did not resolve: nothing was sent, but DNS can recover, so delivery retries it (unlike other refusals).
 * It is a TargetRefused for the guard's callers, which only ask whether the target may be reached; code that
 * asks whether a failure is final must test for this class first.
 */
export class TargetUnresolved extends TargetRefused {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnresolved';
  }
}

// IPv4 ranges that are never a webhook receiver on the public internet (RFC 6890 special-purpose registry).
const v4Ranges: [string, number, AddressClass][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link_local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function classifyV4(ip: string): AddressClass {
  const n = v4ToInt(ip);
  for (const [base, bits, cls] of v4Ranges) {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(base);
    if (n >= start && n < start + size) return cls;
  }
  return 'public';
}

/** Expands an IPv6 address (no zone id) into 16 bytes; undefined when it is not one. */
export function parseV6(ip: string): number[] | undefined {
  if (isIP(ip) !== 6) return undefined;
  let text = ip.toLowerCase();
  const bytes: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const parts = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, -v4[1]!.length)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest ? rest.split(':') : [];
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...(rest !== undefined ? Array(missing).fill('0') : []), ...restGroups];
  if (groups.length !== 8) return undefined;
  for (const g of groups) {
    const value = Number.parseInt(g, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes;
}

function classifyV6(ip: string): AddressClass {
  const b = parseV6(ip);
  if (!b) return 'reserved';
  const zeroUpTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  const embeddedV4 = (at: number) => b.slice(at, at + 4).join('.');
  if (zeroUpTo(16)) return 'unspecified';
  if (zeroUpTo(15) && b[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible) and ::ffff:0:a.b.c.d (translated) all reach IPv4.
  if (zeroUpTo(10) && b[10] === 0xff && b[11] === 0xff) return 'ipv4_mapped';
  if (zeroUpTo(12)) return 'ipv4_mapped';
  if (zeroUpTo(8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return 'ipv4_mapped';
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that the gateway will connect to.
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    const allZero = b.slice(4, 12).every((x) => x === 0);
    return allZero ? classifyV4(embeddedV4(12)) : 'reserved';
  }
  if (b[0] === 0x20 && b[1] === 0x02) return classifyV4(embeddedV4(2));
  if (b[0] === 0xff) return 'multicast';
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link_local';
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 'private'; // deprecated site-local fec0::/10
  if ((b[0]! & 0xfe) === 0xfc) return 'unique_local';
  // Only 2000::/3 is global unicast; inside it, 2001::/23 (Teredo, ORCHID, ...), 2001:db8::/32 and
  // 3fff::/20 (documentation) are special-purpose.
  if ((b[0]! & 0xe0) !== 0x20) return 'reserved';
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3]! < 0x02) return 'reserved';
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return 'reserved';
  if (b[0] === 0x3f && b[1] === 0xff && b[2]! < 0x10) return 'reserved';
  return 'public';
}

/** Classifies an IP address literal (v4 dotted quad or v6 without brackets). */
export function classifyAddress(ip: string): AddressClass {
  if (ip.includes('%')) return 'reserved'; // zone ids only make sense on the local link
  const v = isIP(ip);
  if (v === 4) return classifyV4(ip);
  if (v === 6) return classifyV6(ip);
  return 'reserved';
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/') as [string, string | undefined];
  const v = isIP(ip);
  if (v === 0 || v !== isIP(base)) return false;
  const width = v === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  const bytes = (x: string) => (v === 4 ? x.split('.').map(Number) : parseV6(x)!);
  const a = bytes(ip);
  const c = bytes(base);
  for (let i = 0; i < bits; i++) {
    const bit = (arr: number[]) => (arr[i >> 3]! >> (7 - (i & 7))) & 1;
    if (bit(a) !== bit(c)) return false;
  }
  return true;
}

/** Throws when an allowlist entry is neither a host name, an IP nor a CIDR (checked once at start). */
export function checkAllowList(entries: readonly string[]): void {
  for (const entry of entries) {
    const [base, bits] = entry.split('/') as [string, string | undefined];
    const v = isIP(base);
    if (bits !== undefined) {
      const max = v === 4 ? 32 : v === 6 ? 128 : -1;
      if (max < 0 || !/^\d+$/.test(bits) || Number(bits) > max)
        throw new Error(`WEBHOOK_ALLOW_HOSTS: bad CIDR ${entry}`);
    } else if (v === 0 && !/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(entry)) {
      throw new Error(`WEBHOOK_ALLOW_HOSTS: bad entry ${entry}`);
    }
  }
}

function hostAllowed(hostname: string, allowHosts: readonly string[]): boolean {
  return allowHosts.some((entry) =>
    entry.startsWith('*.') ? hostname.endsWith(entry.slice(1)) : entry === hostname,
  );
}

function addressAllowed(address: string, allowHosts: readonly string[]): boolean {
  return allowHosts.some((entry) => isIP(entry.split('/')[0]!) !== 0 && inCidr(address, entry));
}

/** Host part of a URL without IPv6 brackets. WHATWG parsing already turns 2130706433, 0x7f.1 etc. into dotted quads. */
function bareHost(url: URL): string {
  // `localhost.` is `localhost`: a fully qualified name's trailing dot is dropped before any check.
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** Names that mean this machine whatever DNS says (RFC 6761 `localhost`, Debian's IPv6 aliases). */
const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback', 'localhost.localdomain']);
const isLoopbackName = (host: string) => LOOPBACK_NAMES.has(host) || host.endsWith('.localhost');

function refusal(address: string, cls: AddressClass): string {
  return `${address} is a ${cls.replace('_', '-')} address`;
}

/** Whether a checked address may be contacted under the policy. */
function addressPermitted(address: string, hostname: string, policy: TargetPolicy): AddressClass | 'ok' {
  const cls = classifyAddress(address);
  if (cls === 'public') return 'ok';
  if (hostAllowed(hostname, policy.allowHosts) || addressAllowed(address, policy.allowHosts)) return 'ok';
  if (cls === 'loopback' && policy.mode === 'test') return 'ok';
  return cls;
}

/**
 * Checks a webhook URL when it is given (no DNS): absolute http(s), https for live clients, no credentials,
 * and an IP literal must be reachable under the policy. Throws 400 validation_error on `field`.
 */
export function validateTargetUrl(value: string, policy: TargetPolicy, field = 'webhook_url'): URL {
  if (typeof value !== 'string' || value.length > 2048) {
    throw validationError(field, 'must be a URL of at most 2048 characters');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw validationError(field, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw validationError(field, 'must be http(s)');
  if (policy.mode === 'live' && url.protocol !== 'https:')
    throw validationError(field, 'must use https for live clients');
  if (url.username || url.password) throw validationError(field, 'must not carry credentials');
  const host = bareHost(url);
  if (isIP(host)) {
    const verdict = addressPermitted(host, host, policy);
    if (verdict !== 'ok') throw validationError(field, `must not target ${refusal(host, verdict)}`);
  } else if (isLoopbackName(host) && policy.mode === 'live' && !hostAllowed(host, policy.allowHosts)) {
    throw validationError(field, 'must not target localhost');
  }
  return url;
}

/** How long input validation waits for DNS: a name that does not resolve in time is left to delivery. */
export const INPUT_RESOLVE_TIMEOUT_MS = 2_000;

/**
 * Input-time check: `validateTargetUrl`, and for a live client a host name is resolved too (as `/etc/hosts` and
 * DNS answer now), refused with the same error as an IP literal when any address is not public. A name that does
 * not resolve (yet) passes: the delivery-time check resolves again and holds either way.
 */
export async function checkTargetAtInput(
  value: string,
  policy: TargetPolicy,
  field: string,
  resolver: Resolver = systemResolver,
): Promise<URL> {
  const url = validateTargetUrl(value, policy, field);
  const host = bareHost(url);
  if (policy.mode !== 'live' || isIP(host) || hostAllowed(host, policy.allowHosts)) return url;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), INPUT_RESOLVE_TIMEOUT_MS);
  });
  const addresses = await Promise.race([resolver(host).catch(() => undefined), timeout]).finally(() =>
    clearTimeout(timer),
  );
  for (const { address } of addresses ?? []) {
    const verdict = addressPermitted(address, host, policy);
    if (verdict !== 'ok')
      throw validationError(field, `must not target ${host}: it resolves to ${refusal(address, verdict)}`);
  }
  return url;
}

/**
 * Delivery-time check: resolves the host once, refuses when any of its addresses is not permitted, and returns
 * the address the connection must use, so a second (rebinding) resolution can never be involved.
 */
export async function resolveTarget(
  value: string,
  policy: TargetPolicy,
  resolver: Resolver = systemResolver,
): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = validateTargetUrl(value, policy);
  } catch (error) {
    throw new TargetRefused((error as Error).message);
  }
  const host = bareHost(url);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolver(host);
    } catch (error) {
      throw new TargetUnresolved(
        `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    if (addresses.length === 0) throw new TargetUnresolved(`cannot resolve ${host}`);
  }
  for (const { address } of addresses) {
    const verdict = addressPermitted(address, host, policy);
    if (verdict !== 'ok') throw new TargetRefused(`${host} resolves to ${refusal(address, verdict)}`);
  }
  const chosen = addresses[0]!;
  return { url, address: chosen.address, family: isIP(chosen.address) === 6 ? 6 : 4 };
}
