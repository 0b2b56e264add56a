import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A certificate and its key, PEM, plus the file paths they were written to. */
export interface Pem {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestPki {
  dir: string;
  ca: Pem;
  /** localhost / 127.0.0.1 server certificate issued by the CA. */
  server: Pem;
  /** Issues a certificate from the CA (or self-signed) with the given subject and extensions. */
  issue(name: string, opts: IssueOptions): Pem;
  close(): void;
}

export interface IssueOptions {
  subject: string;
  /** openssl extension lines, e.g. `extendedKeyUsage=clientAuth`. */
  extensions: string[];
  selfSigned?: boolean;
  rsa?: boolean;
  days?: number;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A throw-away PKI generated with the openssl CLI at test time; nothing is committed. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-pki-'));
  const keyArgs = (rsa?: boolean) =>
    rsa ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  const read = (name: string): Pem => ({
    cert: readFileSync(path.join(dir, `${name}.pem`), 'utf8'),
    key: readFileSync(path.join(dir, `${name}.key`), 'utf8'),
    certFile: path.join(dir, `${name}.pem`),
    keyFile: path.join(dir, `${name}.key`),
  });

  openssl(
    [
      'req',
      '-x509',
      ...keyArgs(),
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=Ferry Test Client CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'extendedKeyUsage=clientAuth',
    ],
    dir,
  );

  let serial = 1;
  const issue = (name: string, opts: IssueOptions): Pem => {
    const ext = path.join(dir, `${name}.ext`);
    writeFileSync(ext, `${opts.extensions.join('\n')}\n`);
    const days = String(opts.days ?? 1);
    if (opts.selfSigned) {
      openssl(
        [
          'req',
          '-x509',
          ...keyArgs(opts.rsa),
          '-nodes',
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.pem`,
          '-days',
          days,
          '-subj',
          opts.subject,
          ...opts.extensions.flatMap((e) => ['-addext', e]),
        ],
        dir,
      );
      return read(name);
    }
    openssl(
      [
        'req',
        '-new',
        ...keyArgs(opts.rsa),
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        opts.subject,
      ],
      dir,
    );
    serial += 1;
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        String(serial),
        '-days',
        days,
        '-extfile',
        ext,
        '-out',
        `${name}.pem`,
      ],
      dir,
    );
    return read(name);
  };

  const server = issue('server', {
    subject: '/CN=localhost',
    extensions: [
      'basicConstraints=CA:FALSE',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
  });
  return { dir, ca: read('ca'), server, issue, close: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Extensions of a certificate that meets seed 000's client (leaf) rules. */
export const goodLeafExtensions = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=clientAuth',
];
