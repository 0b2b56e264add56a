import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** QWAC-like client certificate issued by the CA. */
  client: { cert: string; key: string };
  /** A client certificate from another CA (must be refused). */
  stranger: { cert: string; key: string };
  /** QSealC-like signing certificate. */
  qsealc: { cert: string; key: string };
  cleanup(): void;
}

/** A throwaway PKI made with the openssl CLI: CA, server (127.0.0.1/localhost), client, stranger, QSealC. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-pki-'));
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ca = (name: string) => {
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.crt`),
      '-days',
      '30',
      '-subj',
      `/C=RO/O=Ferry Test/CN=${name}`,
    );
  };
  const leaf = (name: string, issuer: string, subject: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext);
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      subject,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f(`${issuer}.crt`),
      '-CAkey',
      f(`${issuer}.key`),
      '-CAcreateserial',
      '-out',
      f(`${name}.crt`),
      '-days',
      '30',
      '-extfile',
      f(`${name}.ext`),
    );
  };
  ca('test-ca');
  ca('other-ca');
  leaf(
    'server',
    'test-ca',
    '/C=RO/O=Sandbox Bank/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  leaf('client', 'test-ca', '/C=RO/O=Ferry TPP/CN=ferry-qwac', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'other-ca', '/C=RO/O=Stranger/CN=stranger', 'extendedKeyUsage=clientAuth\n');
  leaf(
    'qsealc',
    'test-ca',
    '/C=RO/O=Ferry TPP/CN=ferry-qsealc',
    'keyUsage=digitalSignature,nonRepudiation\n',
  );
  const read = (name: string) => readFileSync(f(name), 'utf8');
  return {
    dir,
    caCert: read('test-ca.crt'),
    caFile: f('test-ca.crt'),
    serverCertFile: f('server.crt'),
    serverKeyFile: f('server.key'),
    client: { cert: read('client.crt'), key: read('client.key') },
    stranger: { cert: read('stranger.crt'), key: read('stranger.key') },
    qsealc: { cert: read('qsealc.crt'), key: read('qsealc.key') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
