import { describe, expect, it } from 'vitest';
import { refusedForLive, ssrfResolver as resolver } from '../../test/support/ssrf-urls.js';
import { classifyAddress, resolveTarget, TargetRefused, validateTargetUrl } from './ssrf.js';

const live = { mode: 'live' as const, allowHosts: [] };
const test = { mode: 'test' as const, allowHosts: [] };

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
