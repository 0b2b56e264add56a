import type { Provider } from './catalogue.types.js';
import { escapeHtml } from './html.js';

const fontSize: Record<number, number> = { 1: 36, 2: 28, 3: 21 };

/**
 * A 64×64 tile with the provider's initials on its brand colour. Ferry draws its own logos so that pages
 * make no external requests and no bank artwork is redistributed. Colours are validated (#rrggbb) at load.
 */
export function providerLogoSvg(provider: Provider): string {
  const { text, background, foreground } = provider.logo;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" ` +
    `aria-label="${escapeHtml(provider.name)}">` +
    `<rect width="64" height="64" rx="12" fill="${background}"/>` +
    `<text x="32" y="33" dominant-baseline="middle" text-anchor="middle" ` +
    `font-family="Arial, Helvetica, sans-serif" font-weight="700" font-size="${fontSize[text.length] ?? 18}" ` +
    `fill="${foreground}">${escapeHtml(text)}</text></svg>`
  );
}
