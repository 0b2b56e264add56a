import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/shared/metrics.js';
import { parseMetrics, seriesValue } from './prometheus.js';

describe('the Prometheus text reader of the tests', () => {
  it('reads prom-client output, labelled histograms included', async () => {
    const m = createMetrics();
    m.httpRequest('GET', '/a', 200, 0.003);
    m.httpRequest('GET', '/a', 200, 2);
    m.httpRequest('POST', '/b', 400, 0.02);
    m.gauge('ferry_things', 'things', ['status'], () => [{ labels: { status: 'x "y"' }, value: 3 }]);
    const families = parseMetrics(await m.text());
    expect(seriesValue(families, 'ferry_http_request_duration_seconds', { route: '/a' })).toBe(2);
    expect(seriesValue(families, 'ferry_http_request_duration_seconds', { status: '400' })).toBe(1);
    expect(seriesValue(families, 'ferry_things', { status: 'x \\"y\\"' })).toBe(3);
  });

  it('refuses malformed text', () => {
    expect(() => parseMetrics('ferry_x 1\n')).toThrow(/no # TYPE/);
    expect(() => parseMetrics('# TYPE ferry_x gauge\nferry_x{a=b} 1\n')).toThrow(/bad labels/);
    expect(() => parseMetrics('# TYPE ferry_x gauge\nferry_x one\n')).toThrow(/bad value/);
    const badHistogram = [
      '# TYPE h histogram',
      'h_bucket{le="1"} 2',
      'h_bucket{le="+Inf"} 1',
      'h_count 1',
    ].join('\n');
    expect(() => parseMetrics(badHistogram)).toThrow(/not cumulative/);
  });
});
