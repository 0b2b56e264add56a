import type { Page } from 'playwright-core';

// The functions below run in the browser; the DOM globals they use, typed loosely (this project has no DOM lib).
// biome-ignore-start lint/suspicious/noExplicitAny: browser globals
declare const document: any;
declare const getComputedStyle: any;
declare const NodeFilter: any;
declare const Image: any;
declare const scrollX: number;
declare const scrollY: number;
// biome-ignore-end lint/suspicious/noExplicitAny: browser globals

/** One run of text on a rendered page and the worst contrast of its colour over the pixels behind it. */
export interface TextContrast {
  text: string;
  ratio: number;
  /** 4.5 for body text, 3 for large text (WCAG 2.1: ≥ 24 px, or ≥ 18.66 px bold). */
  required: number;
}

interface Run {
  text: string;
  color: [number, number, number, number];
  required: number;
  rects: Array<{ x: number; y: number; w: number; h: number }>;
}

/**
 * Measures text contrast on the rendered page, as WCAG asks and axe-core cannot over gradients and translucent
 * panes: the page is shot once with every glyph made transparent, and each text run's colour is compared with
 * every pixel of that background inside the run's line boxes; the worst pixel counts.
 */
export async function measureContrast(page: Page): Promise<TextContrast[]> {
  const runs = await page.evaluate(() => {
    const parse = (c: string): [number, number, number, number] => {
      const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
      return m
        ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])]
        : [0, 0, 0, 1];
    };
    const out: Run[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent ?? '').trim();
      const el = node.parentElement;
      if (!text || !el || el.closest('svg, script, style, noscript, [hidden]')) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
      if (el.closest('details:not([open]) > :not(summary)')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()]
        // Off-screen (a skip link until focused) or clipped to a pixel (screen-reader text): not seen.
        .filter((r) => r.width > 2 && r.height > 2 && r.right + scrollX > 0 && r.bottom + scrollY > 0)
        .map((r) => ({ x: r.x + scrollX, y: r.y + scrollY, w: r.width, h: r.height }));
      if (rects.length === 0) continue;
      const size = Number.parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      out.push({
        text: text.slice(0, 60),
        color: parse(style.color),
        required: size >= 24 || (bold && size >= 18.66) ? 3 : 4.5,
        rects,
      });
    }
    return out;
  });
  const hide = await page.addStyleTag({
    content:
      '*,*::before,*::after{color:transparent!important;text-shadow:none!important;-webkit-text-fill-color:transparent!important}',
  });
  const shot = (await page.screenshot({ fullPage: true, animations: 'disabled' })).toString('base64');
  await hide.evaluate((el) => el.remove());
  return page.evaluate(
    async ({ shot, runs }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${shot}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(img, 0, 0);
      const lin = (v: number) => {
        const c = v / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      const lum = (r: number, g: number, b: number) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
      return runs.map((run) => {
        const [r, g, b, a] = run.color;
        let worst = Number.POSITIVE_INFINITY;
        for (const rect of run.rects) {
          const x0 = Math.max(0, Math.floor(rect.x));
          const y0 = Math.max(0, Math.floor(rect.y));
          const w = Math.min(canvas.width - x0, Math.ceil(rect.w));
          const h = Math.min(canvas.height - y0, Math.ceil(rect.h));
          if (w <= 0 || h <= 0) continue;
          const data = ctx.getImageData(x0, y0, w, h).data;
          for (let i = 0; i < data.length; i += 4) {
            const br = data[i]!;
            const bg = data[i + 1]!;
            const bb = data[i + 2]!;
            // The text colour as drawn over this pixel (alpha composited).
            const fg = lum(r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a));
            const back = lum(br, bg, bb);
            const ratio = (Math.max(fg, back) + 0.05) / (Math.min(fg, back) + 0.05);
            if (ratio < worst) worst = ratio;
          }
        }
        return { text: run.text, ratio: Math.round(worst * 100) / 100, required: run.required };
      });
    },
    { shot, runs },
  );
}
