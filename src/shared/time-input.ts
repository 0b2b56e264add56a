import { validationError } from './errors.js';

/**
 * The one parser for dates and date-times in API input. A date is `YYYY-MM-DD` and must exist in the calendar
 * (no 2026-02-30, no 2026-02-29); a date-time is ISO 8601 with a time zone (`Z` or `±hh:mm`), seconds and
 * fractions optional. Both must fall within 1900-01-01T00:00:00Z … 9999-12-31T23:59:59.999Z after the time zone
 * is applied, the range every store and every wire format here can hold. Anything else is a 400
 * `validation_error` naming the field, never a silent roll-over or a database error.
 */
export const FIRST_DAY = '1900-01-01';
export const LAST_DAY = '9999-12-31';
const MIN_MS = Date.parse(`${FIRST_DAY}T00:00:00Z`);
const MAX_MS = Date.parse(`${LAST_DAY}T23:59:59.999Z`);
const RANGE = `between ${FIRST_DAY} and ${LAST_DAY}`;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))$/i;

function calendarValid(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() + (month === 2 && !leap(year) ? -1 : 0);
  return day <= days;
}
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** A calendar date `YYYY-MM-DD` within the range, returned as given. */
export function parseDate(field: string, value: string): string {
  const m = DATE.exec(value);
  if (!m) throw validationError(field, 'must be a date (YYYY-MM-DD)');
  if (!calendarValid(m[1]!, m[2]!, m[3]!))
    throw validationError(field, `${value} is not a date in the calendar`);
  if (value < FIRST_DAY || value > LAST_DAY) throw validationError(field, `must be ${RANGE}`);
  return value;
}

/**
 * An instant. With `dates: true` a bare date is accepted as its start (00:00 UTC), as the list filters have
 * always done.
 */
export function parseInstant(field: string, value: string, options: { dates?: boolean } = {}): Date {
  if (options.dates && DATE.test(value)) return new Date(Date.parse(`${parseDate(field, value)}T00:00:00Z`));
  const m = DATE_TIME.exec(value);
  const shape = options.dates ? 'a date (YYYY-MM-DD) or an ISO 8601 date-time' : 'an ISO 8601 date-time';
  if (!m) throw validationError(field, `must be ${shape} with a time zone, e.g. 2026-01-31T09:30:00Z`);
  const [, y, mo, d, h, mi, s, , , oh, om] = m;
  const timeValid =
    Number(h) <= 23 &&
    Number(mi) <= 59 &&
    Number(s ?? 0) <= 59 &&
    Number(oh ?? 0) <= 23 &&
    Number(om ?? 0) <= 59;
  if (!calendarValid(y!, mo!, d!) || !timeValid)
    throw validationError(field, `${value} is not a time in the calendar`);
  const ms = Date.parse(value.toUpperCase());
  if (Number.isNaN(ms) || ms < MIN_MS || ms > MAX_MS) throw validationError(field, `must be ${RANGE} (UTC)`);
  return new Date(ms);
}
