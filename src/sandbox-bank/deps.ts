import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { type BankId, isBankId } from './banks.js';
import type { SandboxContext } from './context.js';
import type { Faults } from './faults.service.js';
import { resourceUnknown } from './psd2-error.js';

export interface RouteDeps {
  ctx: SandboxContext;
  faults: Faults;
  prefix: string;
  publicUrl: string | undefined;
  requireClientCertificate: boolean;
  adminToken: string | undefined;
}

export function bankOf(request: FastifyRequest): BankId {
  const bank = (request.params as { bank?: string }).bank ?? '';
  if (!isBankId(bank)) throw resourceUnknown('bank');
  return bank;
}

/** Absolute base of one bank's API, e.g. http://localhost:3000/sandbox-bank/bt_ro. */
export function baseFor(deps: RouteDeps, request: FastifyRequest, bank: BankId): string {
  const origin = deps.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${origin}${deps.prefix}/${bank}`;
}

export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

export function clientCertificateState(request: FastifyRequest): 'none' | 'authorized' | 'unauthorized' {
  const socket = request.raw.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return 'none';
  const cert = socket.getPeerCertificate(false);
  if (!cert?.raw || cert.raw.length === 0) return 'none';
  return socket.authorized ? 'authorized' : 'unauthorized';
}

declare module 'fastify' {
  interface FastifyRequest {
    sandboxRawBody?: string;
  }
}
