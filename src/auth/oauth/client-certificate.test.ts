import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, goodLeafExtensions, type TestPki } from '../../../test/support/oauth-certs.js';
import {
  type CertificateFacts,
  certificateFacts,
  EKU,
  leafProblems,
  normalizeDn,
  parseCertificate,
  subjectMatches,
} from './client-certificate.js';

const now = new Date('2026-06-01T00:00:00Z');
const good: CertificateFacts = {
  isCa: false,
  extendedKeyUsage: [EKU.clientAuth],
  notBefore: new Date('2026-01-01T00:00:00Z'),
  notAfter: new Date('2027-01-01T00:00:00Z'),
  selfSigned: false,
};

describe('leaf rules (seed 000 certificate requirements)', () => {
  it('accepts a CA-issued clientAuth leaf within its validity', () => {
    expect(leafProblems(good, now)).toEqual([]);
    expect(leafProblems({ ...good, extendedKeyUsage: [EKU.clientAuth, '1.3.6.1.5.5.7.3.1'] }, now)).toEqual(
      [],
    );
  });

  it.each<[string, Partial<CertificateFacts>, string]>([
    ['BasicConstraints CA=true', { isCa: true }, 'is_ca'],
    ['no ExtendedKeyUsage extension', { extendedKeyUsage: undefined }, 'no_client_auth'],
    ['EKU without clientAuth', { extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'] }, 'no_client_auth'],
    ['EKU with codeSigning', { extendedKeyUsage: [EKU.clientAuth, EKU.codeSigning] }, 'forbidden_usage'],
    ['EKU with timeStamping', { extendedKeyUsage: [EKU.clientAuth, EKU.timeStamping] }, 'forbidden_usage'],
    ['EKU with OCSPSigning', { extendedKeyUsage: [EKU.clientAuth, EKU.ocspSigning] }, 'forbidden_usage'],
    ['expired', { notAfter: new Date('2026-05-31T23:59:59Z') }, 'expired'],
    ['not yet valid', { notBefore: new Date('2026-06-01T00:00:01Z') }, 'not_yet_valid'],
    ['self-signed', { selfSigned: true }, 'self_signed'],
  ])('rejects a leaf that is %s', (_name, change, problem) => {
    expect(leafProblems({ ...good, ...change }, now)).toEqual([problem]);
  });

  it('reports every broken rule at once', () => {
    const facts: CertificateFacts = {
      isCa: true,
      extendedKeyUsage: [EKU.codeSigning],
      notBefore: good.notBefore,
      notAfter: new Date('2026-02-01T00:00:00Z'),
      selfSigned: true,
    };
    expect(leafProblems(facts, now)).toEqual([
      'is_ca',
      'no_client_auth',
      'forbidden_usage',
      'expired',
      'self_signed',
    ]);
  });

  it('treats the validity bounds as inclusive', () => {
    expect(leafProblems(good, good.notAfter)).toEqual([]);
    expect(leafProblems(good, good.notBefore)).toEqual([]);
  });
});

describe('facts read from real certificates', () => {
  let pki: TestPki;
  const facts = (pem: string) => certificateFacts(new X509Certificate(pem));
  const problems = (pem: string) => leafProblems(facts(pem), new Date());

  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki?.close());

  it('an EC and an RSA leaf from the CA pass', () => {
    const ec = pki.issue('good-ec', { subject: '/C=RO/O=Acme/CN=shop', extensions: goodLeafExtensions });
    const rsa = pki.issue('good-rsa', { subject: '/CN=rsa', extensions: goodLeafExtensions, rsa: true });
    expect(problems(ec.cert)).toEqual([]);
    expect(problems(rsa.cert)).toEqual([]);
    expect(facts(ec.cert).extendedKeyUsage).toEqual([EKU.clientAuth]);
  });

  it('the CA itself is not acceptable as a client certificate', () => {
    expect(problems(pki.ca.cert)).toEqual(['is_ca', 'self_signed']);
  });

  it.each<[string, string[], string[]]>([
    ['CA=true leaf', ['basicConstraints=critical,CA:TRUE', 'extendedKeyUsage=clientAuth'], ['is_ca']],
    ['leaf without EKU', ['basicConstraints=CA:FALSE'], ['no_client_auth']],
    [
      'serverAuth-only leaf',
      ['basicConstraints=CA:FALSE', 'extendedKeyUsage=serverAuth'],
      ['no_client_auth'],
    ],
    ['clientAuth+codeSigning', ['extendedKeyUsage=clientAuth,codeSigning'], ['forbidden_usage']],
    ['clientAuth+timeStamping', ['extendedKeyUsage=clientAuth,timeStamping'], ['forbidden_usage']],
    ['clientAuth+OCSPSigning', ['extendedKeyUsage=clientAuth,OCSPSigning'], ['forbidden_usage']],
  ])('%s is rejected', (name, extensions, expected) => {
    const id = name.replace(/\W+/g, '-');
    const pem = pki.issue(id, { subject: `/CN=${id}`, extensions });
    expect(problems(pem.cert)).toEqual(expected);
  });

  it('a self-signed clientAuth leaf is rejected', () => {
    const pem = pki.issue('self', { subject: '/CN=self', extensions: goodLeafExtensions, selfSigned: true });
    expect(problems(pem.cert)).toEqual(['self_signed']);
  });

  it('expiry is judged against the given time', () => {
    const pem = pki.issue('short', { subject: '/CN=short', extensions: goodLeafExtensions, days: 1 });
    const f = facts(pem.cert);
    expect(leafProblems(f, new Date(f.notAfter.getTime() + 1000))).toEqual(['expired']);
  });

  it('parseCertificate returns undefined for bytes that are not a certificate', () => {
    expect(parseCertificate(Buffer.from('not a certificate'))).toBeUndefined();
    expect(parseCertificate(new X509Certificate(pki.ca.cert).raw)).toBeInstanceOf(X509Certificate);
  });

  it('subjectMatches compares the certificate subject with a registered DN', () => {
    const pem = pki.issue('dn', {
      subject: '/C=RO/O=Acme SRL/CN=shop.example',
      extensions: goodLeafExtensions,
    });
    const subject = new X509Certificate(pem.cert).subject;
    expect(subjectMatches(subject, 'CN=shop.example,O=Acme SRL,C=RO')).toBe(true);
    expect(subjectMatches(subject, 'cn=Shop.Example, o=acme srl, c=ro')).toBe(true);
    expect(subjectMatches(subject, '/C=RO/O=Acme SRL/CN=shop.example')).toBe(true);
    expect(subjectMatches(subject, 'CN=shop.example,O=Acme SRL')).toBe(false);
    expect(subjectMatches(subject, 'CN=other,O=Acme SRL,C=RO')).toBe(false);
  });
});

describe('normalizeDn', () => {
  it('ignores order, case, spacing and attribute aliases', () => {
    expect(normalizeDn('CN=a, O=b ,C=RO')).toBe(normalizeDn('C=ro\nO=B\nCN=A'));
    expect(normalizeDn('2.5.4.3=a')).toBe(normalizeDn('CN=a'));
    expect(normalizeDn('E=x@y.ro')).toBe(normalizeDn('emailAddress=x@y.ro'));
  });

  it('keeps escaped separators inside values', () => {
    expect(normalizeDn('CN=Acme\\, Inc,C=RO')).toBe('C=ro\nCN=acme, inc');
    expect(normalizeDn('CN=a\\2Cb')).toBe('CN=a,b');
  });

  it('rejects text that is not a DN', () => {
    expect(normalizeDn('')).toBeUndefined();
    expect(normalizeDn('just text')).toBeUndefined();
    expect(normalizeDn('CN=')).toBeUndefined();
    expect(normalizeDn('=x')).toBeUndefined();
  });
});
