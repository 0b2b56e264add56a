import type { Resolver } from '../../src/webhooks/index.js';

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
export const ssrfResolver: Resolver = async (host) => {
  const addresses = zone[host];
  if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** At least 40 webhook URLs a live client must never reach (with ssrfResolver standing in for DNS). */
export const refusedForLive = [
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
