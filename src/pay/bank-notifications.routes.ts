import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { unauthorized } from '../shared/errors.js';
import { bankNotificationSecret, SIGNATURE_HEADER, verifyBankNotification } from './bank-notifications.js';
import type { PaymentFlow } from './payment-flow.service.js';

const Body = Type.Object(
  {
    payment_id: Type.String({ minLength: 1, maxLength: 128 }),
    event: Type.Enum(['funds_received', 'funds_rejected']),
  },
  { additionalProperties: true },
);

/**
 * `POST /bank-notifications/{provider_id}`: a bank tells Ferry the creditor side credited or rejected a payment.
 * Authenticated by the signature header over the raw body (see bank-notifications.ts).
 */
export async function registerBankNotifications(
  app: FastifyInstance,
  deps: { flow: PaymentFlow; rootKey: Buffer; nowSeconds: () => number },
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      request.bankRawBody = body as string;
      try {
        done(null, JSON.parse(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    scope.route({
      method: 'POST',
      url: '/bank-notifications/:provider_id',
      schema: {
        hide: true,
        params: Type.Object({ provider_id: Type.String({ pattern: '^[a-z0-9_]{1,64}$' }) }),
        body: Body,
      } as Record<string, unknown>,
      preValidation: async (request) => {
        const { provider_id } = request.params as { provider_id: string };
        const header = request.headers[SIGNATURE_HEADER];
        const ok = verifyBankNotification(
          bankNotificationSecret(deps.rootKey, provider_id),
          request.bankRawBody ?? '',
          typeof header === 'string' ? header : undefined,
          deps.nowSeconds(),
        );
        if (!ok) throw unauthorized('The notification signature is missing, invalid or too old.');
      },
      handler: async (request) => {
        const { provider_id } = request.params as { provider_id: string };
        const body = request.body as { payment_id: string; event: 'funds_received' | 'funds_rejected' };
        const outcome = body.event === 'funds_received' ? 'received' : 'rejected';
        return {
          request_id: request.id,
          ...(await deps.flow.fundsNotification(provider_id, body.payment_id, outcome)),
        };
      },
    });
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    bankRawBody?: string;
  }
}
