import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';

/** The DER bytes of the client certificate on this request's TLS connection, if any. */
export function peerCertificateDer(request: FastifyRequest): Buffer | undefined {
  const socket = request.raw.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate(false);
  return cert?.raw && cert.raw.length > 0 ? cert.raw : undefined;
}

/** RFC 8705 thumbprint: base64url SHA-256 of the DER certificate. */
export function certThumbprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}
