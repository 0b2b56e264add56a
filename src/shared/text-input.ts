import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * One check for every text a request carries, on every surface: PostgreSQL refuses NUL (0x00) in `text` and in
 * `jsonb`, and a lone UTF-16 surrogate is silently turned into U+FFFD on the way to the database. Both are refused
 * before validation with a Fastify-style validation error, so each surface's own error handler answers in its own
 * model (FinqLink `validation_error` naming the field, the sandbox bank `FORMAT_ERROR`, hosted pages a 400 page).
 */
export const BAD_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

const NUL = '\u0000';

/** True when a string cannot be stored as text: a NUL character or a lone surrogate. */
export function isBadText(value: string): boolean {
  return value.includes(NUL) || !value.isWellFormed();
}

/**
 * The path (`a.b.0.c`) of the first bad string in a parsed value, keys included; undefined when all are good.
 * Iterative with parent links (a path is built only for the bad string), so a deeply nested body costs linear
 * time and cannot overflow the stack.
 */
export function badTextPath(value: unknown): string | undefined {
  interface Node {
    value: unknown;
    key: string | undefined;
    parent: Node | undefined;
  }
  const pathOf = (node: Node | undefined, last?: string) => {
    const keys: string[] = last === undefined ? [] : [last];
    for (let n = node; n?.key !== undefined; n = n.parent) keys.push(n.key);
    return keys.reverse().join('.');
  };
  const stack: Node[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      if (isBadText(v)) return pathOf(node);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: String(i), parent: node });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (const [key] of entries) if (isBadText(key)) return pathOf(node, key);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        stack.push({ value: child, key, parent: node });
      }
    }
  }
  return undefined;
}

type Part = 'params' | 'querystring' | 'body';

function badTextError(part: Part, path: string) {
  const field = path === '' ? part : path;
  const error = new Error(`${field} ${BAD_TEXT_MESSAGE}`) as Error & {
    statusCode: number;
    validation: Array<{ instancePath: string; message: string; params: Record<string, unknown> }>;
    validationContext: Part;
  };
  error.statusCode = 400;
  error.validation = [
    {
      instancePath: path === '' ? '' : `/${path.split('.').join('/')}`,
      message: BAD_TEXT_MESSAGE,
      params: {},
    },
  ];
  error.validationContext = part;
  return error;
}

/** Checks path parameters, the query string and the body of each request before its schema runs. */
export function refuseBadText(app: FastifyInstance): void {
  app.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    const parts: Array<[Part, unknown]> = [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ];
    for (const [part, value] of parts) {
      const path = badTextPath(value);
      if (path !== undefined) return done(badTextError(part, path));
    }
    done();
  });
}
