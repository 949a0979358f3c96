/**
 * Scrapes `/metrics` and parses the text format with parse-prometheus-text-format (counters and
 * gauges). That parser drops the labels, counts and sums of histograms with labels (1.1.1 merges
 * every label set into one), so histogram counts are read from the server's prom-client registry
 * in process instead (`histogramCount`).
 */
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Histogram, Registry } from 'prom-client';

export interface Scrape {
  /** The families present. */
  readonly names: Set<string>;
  /** A counter's or gauge's value for exactly these labels (undefined: no such series). */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every label set of a family. */
  series(name: string): Array<Record<string, string>>;
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseScrape(text);
}

export function parseScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const byName = new Map(families.map((f) => [f.name, f]));
  const same = (a: Record<string, string> | undefined, b: Record<string, string>): boolean => {
    const x = a ?? {};
    return Object.keys(x).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => x[k] === v);
  };
  const sample = (name: string, labels: Record<string, string>) => byName.get(name)?.metrics.find((m) => same(m.labels, labels));
  return {
    names: new Set(byName.keys()),
    value(name, labels = {}) {
      const found = sample(name, labels);
      return found?.value === undefined ? undefined : Number(found.value);
    },
    series(name) {
      return (byName.get(name)?.metrics ?? []).map((m) => m.labels ?? {});
    },
  };
}

/** A histogram's observation count for exactly these labels, from the registry (0 when none). */
export async function histogramCount(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name) as Histogram | undefined;
  assert.ok(metric, `no metric ${name}`);
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      v.metricName === `${name}_count` &&
      Object.keys(v.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return found?.value ?? 0;
}
