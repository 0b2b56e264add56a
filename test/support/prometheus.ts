/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every line must be a `# HELP`, a `# TYPE`
 * or a sample `name{label="value",...} number`; every sample must belong to a family with a TYPE; a
 * histogram's buckets must be cumulative and end in `+Inf` equal to its `_count`. Anything else throws.
 * (The npm parser tried first, parse-prometheus-text-format, merges every labelled histogram series into one.)
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  name: string;
  type: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: \\d+)?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(?:,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseMetrics(text: string): Family[] {
  const families = new Map<string, Family>();
  const familyOf = (sample: string) => {
    for (const suffix of ['', '_bucket', '_count', '_sum', '_created']) {
      if (!sample.endsWith(suffix)) continue;
      const f = families.get(sample.slice(0, sample.length - suffix.length));
      if (f && (suffix === '' || f.type === 'histogram' || f.type === 'summary' || suffix === '_created'))
        return f;
    }
    throw new Error(`sample ${sample} has no # TYPE line before it`);
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = new RegExp(`^# TYPE (${NAME}) (\\w+)$`).exec(line);
    if (type) {
      if (!TYPES.has(type[2]!)) throw new Error(`unknown type in: ${line}`);
      families.set(type[1]!, { name: type[1]!, type: type[2]!, samples: [] });
      continue;
    }
    if (new RegExp(`^# HELP ${NAME} `).test(line)) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    let rest = m[2] ?? '';
    while (rest.length > 0) {
      const l = LABEL.exec(rest);
      if (!l) throw new Error(`bad labels in: ${line}`);
      labels[l[1]!] = l[2]!;
      rest = rest.slice(l[0].length);
    }
    const raw = m[3]!;
    // Values follow Go's ParseFloat: NaN and Inf in any case (prom-client writes `Nan` for an empty lag mean).
    const word = raw.toLowerCase();
    const value = /^[+-]?inf$/.test(word) ? (word.startsWith('-') ? -Infinity : Infinity) : Number(raw);
    if (word !== 'nan' && Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
    familyOf(m[1]!).samples.push({ name: m[1]!, labels, value });
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return [...families.values()];
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: number[]; inf?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: a bucket without le`);
      if (le === '+Inf') entry.inf = s.value;
      else entry.buckets.push(s.value);
    } else if (s.name === `${f.name}_count`) entry.count = s.value;
  }
  for (const [key, e] of series) {
    const all = [...e.buckets, e.inf ?? Number.NaN];
    if (all.some((v, i) => i > 0 && v < all[i - 1]!))
      throw new Error(`${f.name} ${key}: buckets not cumulative`);
    if (e.inf !== e.count) throw new Error(`${f.name} ${key}: +Inf bucket ${e.inf} is not _count ${e.count}`);
  }
}

/**
 * One series' value: a counter's or gauge's value, or a histogram's observation count (`_count`), summed over
 * the samples whose labels include `labels`; 0 when there is none.
 */
export function seriesValue(families: Family[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) return 0;
  const sampleName = family.type === 'histogram' ? `${name}_count` : name;
  return family.samples
    .filter((s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
