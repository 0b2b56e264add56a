import { type BankId, banks } from '../banks.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const originOf = (uri: string | null | undefined): string | undefined => {
  try {
    return uri ? new URL(uri).origin : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Strict CSP. form-action lists the TPP's redirect origins too: browsers apply it to the redirect that
 * follows the final form post.
 */
export function contentSecurityPolicy(redirects: (string | null | undefined)[]): string {
  const origins = [...new Set(redirects.map(originOf).filter((o): o is string => o !== undefined))];
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    `form-action 'self' ${origins.join(' ')}`.trim(),
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function layout(bank: BankId, base: string, title: string, body: string): string {
  const b = banks[bank];
  return `<!doctype html>
<html lang="ro">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${esc(b.name)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${esc(base)}/sca/assets/style.css">
</head>
<body data-bank="${bank}">
<header><span class="logo">${esc(b.theme.logoText)}</span><span>${esc(b.name)}</span><span class="sandbox">sandbox</span></header>
<main><div class="card">
<h1>${esc(title)}</h1>
${body}
</div></main>
</body>
</html>`;
}

export const errorBox = (message: string | undefined) =>
  message ? `<div class="error" role="alert" id="error">${esc(message)}</div>` : '';

export const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;

export const field = (
  name: string,
  label: string,
  options: { type?: string; value?: string; autocomplete?: string } = {},
) =>
  `<label for="${esc(name)}">${esc(label)}</label><input id="${esc(name)}" name="${esc(name)}" type="${options.type ?? 'text'}" value="${esc(options.value ?? '')}" autocomplete="${options.autocomplete ?? 'off'}" required>`;
