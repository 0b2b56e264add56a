import { describe, expect, it } from 'vitest';
import { classifyAddress, type Resolver, resolveTarget, TargetRefused, validateTargetUrl } from './ssrf.js';

const live = { mode: 'live' as const, allowHosts: [] };
const test = { mode: 'test' as const, allowHosts: [] };

// Names a hostile client might register, resolving to internal addresses (a stub resolver stands in for DNS).
const zone: Record<string, string[]> = {
  'loopback.attacker.example': ['127.0.0.1'],
  'loopback6.attacker.example': ['::1'],
  'metadata.attacker.example': ['169.254.169.254'],
  'private.attacker.example': ['10.1.2.3'],
  'mixed.attacker.example': ['93.184.216.34', '192.168.0.10'],
  'mapped.attacker.example': ['::ffff:10.0.0.1'],
  'ula.attacker.example': ['fd12:3456::1'],
  'cgnat.attacker.example': ['100.100.100.100'],
  'public.example': ['93.184.216.34'],
  'public6.example': ['2606:2800:220:1:248:1893:25c8:1946'],
  'dev.internal.test': ['10.9.9.9'],
};
const resolver: Resolver = async (host) => {
  const addresses = zone[host];
  if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const refusedForLive = [
  // IPv4 special ranges
  'https://127.0.0.1/hook',
  'https://127.255.255.254/',
  'https://10.0.0.1/',
  'https://172.16.0.1/',
  'https://172.31.255.255/',
  'https://192.168.1.1/',
  'https://169.254.169.254/latest/meta-data/',
  'https://100.64.0.1/',
  'https://100.127.255.254/',
  'https://0.0.0.0/',
  'https://224.0.0.1/',
  'https://239.255.255.250/',
  'https://255.255.255.255/',
  'https://240.0.0.1/',
  'https://192.0.0.8/',
  'https://198.18.0.1/',
  'https://192.0.2.1/',
  // Other spellings of 127.0.0.1 / 10.0.0.1 / 169.254.169.254 (decimal, octal, hex, short forms)
  'https://2130706433/',
  'https://017700000001/',
  'https://0x7f000001/',
  'https://0x7f.0.0.1/',
  'https://0177.0.0.1/',
  'https://127.1/',
  'https://127.0.1/',
  'https://0/',
  'https://167772161/',
  'https://0xa9fea9fe/',
  'https://0251.0376.0251.0376/',
  // IPv6 forms
  'https://[::1]/',
  'https://[0:0:0:0:0:0:0:1]/',
  'https://[::]/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:7f00:1]/',
  'https://[::ffff:a9fe:a9fe]/',
  'https://[::ffff:8.8.8.8]/',
  'https://[::127.0.0.1]/',
  'https://[64:ff9b::a00:1]/',
  'https://[2002:7f00:1::]/',
  'https://[2002:c0a8:101::1]/',
  'https://[fc00::1]/',
  'https://[fd12:3456:789a::1]/',
  'https://[fe80::1]/',
  'https://[febf::1]/',
  'https://[fec0::1]/',
  'https://[ff02::1]/',
  'https://[2001:db8::1]/',
  'https://[2001::1]/',
  'https://[100::1]/',
  // Names
  'https://localhost/hook',
  'https://api.localhost/hook',
  'https://loopback.attacker.example/hook',
  'https://loopback6.attacker.example/hook',
  'https://metadata.attacker.example/latest',
  'https://private.attacker.example/',
  'https://mixed.attacker.example/',
  'https://mapped.attacker.example/',
  'https://ula.attacker.example/',
  'https://cgnat.attacker.example/',
  'https://nxdomain.attacker.example/',
  // Not https, or not http at all, or with credentials
  'http://public.example/hook',
  'ftp://public.example/hook',
  'file:///etc/passwd',
  'gopher://public.example/',
  'https://user:pass@public.example/',
];

describe('SSRF guard for live clients', () => {
  it(`refuses ${refusedForLive.length} URLs, each before any connection`, async () => {
    expect(refusedForLive.length).toBeGreaterThanOrEqual(40);
    for (const url of refusedForLive) {
      await expect(resolveTarget(url, live, resolver), url).rejects.toBeInstanceOf(TargetRefused);
    }
  });

  it('refuses IP-literal and localhost URLs already when they are given (400 validation_error)', () => {
    for (const url of refusedForLive.filter((u) => !u.includes('attacker.example'))) {
      expect(() => validateTargetUrl(url, live), url).toThrow(
        expect.objectContaining({ code: 'validation_error' }),
      );
    }
  });

  it('accepts public https targets and pins the resolved address', async () => {
    await expect(resolveTarget('https://public.example/hook?x=1', live, resolver)).resolves.toMatchObject({
      address: '93.184.216.34',
      family: 4,
    });
    await expect(resolveTarget('https://public6.example/', live, resolver)).resolves.toMatchObject({
      family: 6,
    });
    await expect(resolveTarget('https://93.184.216.34:8443/', live, resolver)).resolves.toMatchObject({
      address: '93.184.216.34',
    });
  });
});

describe('SSRF guard for test clients and the operator allowlist', () => {
  it('lets test clients reach loopback over http, but nothing else private', async () => {
    await expect(resolveTarget('http://127.0.0.1:3000/hook', test, resolver)).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    await expect(resolveTarget('http://[::1]:3000/', test, resolver)).resolves.toMatchObject({
      address: '::1',
    });
    await expect(resolveTarget('http://loopback.attacker.example/', test, resolver)).resolves.toBeDefined();
    for (const url of ['http://10.0.0.1/', 'http://169.254.169.254/', 'http://[::ffff:127.0.0.1]/']) {
      await expect(resolveTarget(url, test, resolver), url).rejects.toBeInstanceOf(TargetRefused);
    }
  });

  it('lets allowlisted names and CIDRs through for live clients (still https only)', async () => {
    const policy = {
      mode: 'live' as const,
      allowHosts: ['dev.internal.test', '10.20.0.0/16', '*.localhost'],
    };
    await expect(resolveTarget('https://dev.internal.test/', policy, resolver)).resolves.toMatchObject({
      address: '10.9.9.9',
    });
    await expect(resolveTarget('https://10.20.3.4/', policy, resolver)).resolves.toBeDefined();
    await expect(
      resolveTarget('https://hooks.localhost/', policy, async () => [{ address: '127.0.0.1', family: 4 }]),
    ).resolves.toBeDefined();
    await expect(resolveTarget('https://10.21.0.1/', policy, resolver)).rejects.toBeInstanceOf(TargetRefused);
    await expect(resolveTarget('http://dev.internal.test/', policy, resolver)).rejects.toBeInstanceOf(
      TargetRefused,
    );
  });
});

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['10.255.0.1', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.64.0.0', 'cgnat'],
    ['169.254.1.1', 'link_local'],
    ['224.0.0.1', 'multicast'],
    ['0.1.2.3', 'unspecified'],
    ['2a00:1450:4001:80b::200e', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:1.2.3.4', 'ipv4_mapped'],
    ['::ffff:0:1.2.3.4', 'ipv4_mapped'],
    ['fe80::1%eth0', 'reserved'],
    ['fd00::1', 'unique_local'],
    ['ff05::2', 'multicast'],
    ['64:ff9b::808:808', 'public'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:808:808::1', 'public'],
    ['3fff::1', 'reserved'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});
