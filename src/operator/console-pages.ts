import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiClient } from '../auth/index.js';
import type { ConsoleFrame } from './console.view.js';
import type { Operator, OperatorDeps } from './operator.service.js';

/** What a group of console pages gets from console.routes.ts: the page frame, the HTML sender, the Operator. */
export type ConsolePageDeps = OperatorDeps & {
  frame(request: FastifyRequest, reply: FastifyReply): ConsoleFrame;
  send(reply: FastifyReply, body: string, status?: number): FastifyReply;
  operatorOf(request: FastifyRequest): Operator;
};

/** Every API client by its internal id: the console names the owner of each link and event with it. */
export const clientsById = async (deps: OperatorDeps): Promise<Map<string, ApiClient>> =>
  new Map((await deps.clients.list()).map((c) => [c.id, c] as const));
