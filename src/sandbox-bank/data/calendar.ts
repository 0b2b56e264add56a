/** Calendar days as integers (days since 1970-01-01, UTC) so generation can index them cheaply. */
const DAY_MS = 86_400_000;

export const dayOf = (isoDate: string): number => Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS);
export const dayOfInstant = (at: Date): number => Math.floor(at.getTime() / DAY_MS);
export const isoOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const compactOf = (day: number): string => isoOf(day).replaceAll('-', '');
export const dayFromCompact = (yyyymmdd: string): number =>
  dayOf(`${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`);

export function dateParts(day: number): {
  year: number;
  month: number;
  dom: number;
  weekday: number;
  lastDom: number;
} {
  const d = new Date(day * DAY_MS);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  return {
    year,
    month,
    dom: d.getUTCDate(),
    weekday: d.getUTCDay(),
    lastDom: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

export const isIsoDate = (text: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) &&
  !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
  isoOf(dayOf(text)) === text;

const MONTHS_RO = [
  'ianuarie',
  'februarie',
  'martie',
  'aprilie',
  'mai',
  'iunie',
  'iulie',
  'august',
  'septembrie',
  'octombrie',
  'noiembrie',
  'decembrie',
];
export const monthNameRo = (month: number): string => MONTHS_RO[month - 1]!;
