/**
 * Ferry's icon, made here rather than fetched: a white "F" on the pages' accent blue. Pages declare the SVG
 * (a content-hashed asset); `/favicon.ico` is the same drawing as a 16×16 ICO for browsers and tools that ask
 * for it on their own, so no hosted page logs a 404 for it.
 */
const ACCENT = { r: 0x0b, g: 0x57, b: 0xd0 };

export const faviconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b57d0"/><path fill="#fff" d="M4 3h8v2H6v2h5v2H6v4H4z"/></svg>`;

const SIZE = 16;

/** The SVG's shape, pixel by pixel (row 0 at the top): 'f' the letter, 'b' the background, ' ' transparent. */
function pixel(x: number, y: number): 'f' | 'b' | ' ' {
  const letter =
    (x >= 4 && x < 6 && y >= 3 && y < 13) ||
    (y >= 3 && y < 5 && x >= 4 && x < 12) ||
    (y >= 7 && y < 9 && x >= 4 && x < 11);
  if (letter) return 'f';
  // Rounded corners (rx 3): a pixel whose centre lies outside the corner's circle is left out.
  const cx = Math.min(Math.max(x + 0.5, 3), SIZE - 3);
  const cy = Math.min(Math.max(y + 0.5, 3), SIZE - 3);
  return (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > 9 ? ' ' : 'b';
}

/** A one-image ICO: 32-bit BGRA rows bottom-up, then an all-zero AND mask (the alpha channel decides). */
function ico(): Buffer {
  const pixels = SIZE * SIZE * 4;
  const mask = SIZE * 4; // 16 bits a row, padded to 32
  const image = 40 + pixels + mask;
  const out = Buffer.alloc(6 + 16 + image);
  out.writeUInt16LE(1, 2); // type: icon
  out.writeUInt16LE(1, 4); // one image
  out.writeUInt8(SIZE, 6);
  out.writeUInt8(SIZE, 7);
  out.writeUInt16LE(1, 10); // planes
  out.writeUInt16LE(32, 12); // bits per pixel
  out.writeUInt32LE(image, 14);
  out.writeUInt32LE(22, 18); // offset of the image
  out.writeUInt32LE(40, 22); // BITMAPINFOHEADER
  out.writeInt32LE(SIZE, 26);
  out.writeInt32LE(SIZE * 2, 30); // colour rows and mask rows
  out.writeUInt16LE(1, 34);
  out.writeUInt16LE(32, 36);
  out.writeUInt32LE(pixels + mask, 42);
  let at = 62;
  for (let y = SIZE - 1; y >= 0; y--) {
    for (let x = 0; x < SIZE; x++) {
      const p = pixel(x, y);
      const c = p === 'f' ? { r: 255, g: 255, b: 255 } : ACCENT;
      out.set(p === ' ' ? [0, 0, 0, 0] : [c.b, c.g, c.r, 255], at);
      at += 4;
    }
  }
  return out;
}

export const faviconIco = ico();
