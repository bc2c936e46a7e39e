/**
 * A small Prometheus registry: counters, gauges and histograms with optional labels, rendered in
 * the text exposition format (version 0.0.4) for `GET /metrics`.
 */
export type Labels = Record<string, string>;

export type Counter = { inc(labels?: Labels, by?: number): void; get(labels?: Labels): number };
export type Gauge = { set(value: number, labels?: Labels): void; inc(labels?: Labels, by?: number): void; get(labels?: Labels): number };
export type Histogram = { observe(value: number, labels?: Labels): void; count(labels?: Labels): number };

export type Metrics = {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  /** `buckets`: upper bounds in ascending order (`+Inf` is added). */
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram;
  /** The whole registry in Prometheus text format. */
  render(): string;
};

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

type Family = { name: string; help: string; type: "counter" | "gauge" | "histogram"; lines(): string[] };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function labelKey(labels: Labels = {}): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`).join(",");
}

function withLabels(name: string, key: string, extra?: string): string {
  const all = [key, extra].filter(Boolean).join(",");
  return all ? `${name}{${all}}` : name;
}

function number(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/**
 * @example
 * const metrics = createMetrics()
 * const claimed = metrics.counter("hashwork_jobs_claimed_total", "Jobs this daemon claimed")
 * claimed.inc()
 * response.end(metrics.render())
 */
export function createMetrics(): Metrics {
  const families = new Map<string, Family>();

  function register<T>(name: string, help: string, type: Family["type"], make: () => { api: T; lines(): string[] }): T {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    const existing = families.get(name) as (Family & { api: T }) | undefined;
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} is already a ${existing.type}`);
      return existing.api;
    }
    const made = make();
    families.set(name, { name, help, type, lines: made.lines, api: made.api } as Family & { api: T });
    return made.api;
  }

  function scalar(name: string, type: "counter" | "gauge") {
    const values = new Map<string, number>();
    const inc = (labels?: Labels, by = 1) => {
      if (type === "counter" && by < 0) throw new Error(`counter ${name} cannot decrease`);
      const key = labelKey(labels);
      values.set(key, (values.get(key) ?? 0) + by);
    };
    return {
      api: {
        inc,
        set: (value: number, labels?: Labels) => void values.set(labelKey(labels), value),
        get: (labels?: Labels) => values.get(labelKey(labels)) ?? 0,
      },
      lines: () =>
        values.size === 0 && type === "counter" ? [`${name} 0`] : [...values].map(([k, v]) => `${withLabels(name, k)} ${number(v)}`),
    };
  }

  return {
    counter: (name, help) => register<Counter>(name, help, "counter", () => scalar(name, "counter")),
    gauge: (name, help) => register<Gauge>(name, help, "gauge", () => scalar(name, "gauge")),
    histogram: (name, help, buckets = DEFAULT_BUCKETS) =>
      register<Histogram>(name, help, "histogram", () => {
        const bounds = [...buckets];
        for (let i = 1; i < bounds.length; i++) {
          if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`histogram ${name}: buckets must ascend`);
        }
        const series = new Map<string, { counts: number[]; sum: number; count: number }>();
        return {
          api: {
            observe(value: number, labels?: Labels) {
              const key = labelKey(labels);
              let s = series.get(key);
              if (!s) {
                s = { counts: bounds.map(() => 0), sum: 0, count: 0 };
                series.set(key, s);
              }
              bounds.forEach((b, i) => {
                if (value <= b) s.counts[i]!++;
              });
              s.sum += value;
              s.count++;
            },
            count: (labels?: Labels) => series.get(labelKey(labels))?.count ?? 0,
          },
          lines: () =>
            [...series].flatMap(([k, s]) => [
              ...bounds.map((b, i) => `${withLabels(`${name}_bucket`, k, `le="${number(b)}"`)} ${s.counts[i]}`),
              `${withLabels(`${name}_bucket`, k, 'le="+Inf"')} ${s.count}`,
              `${withLabels(`${name}_sum`, k)} ${number(s.sum)}`,
              `${withLabels(`${name}_count`, k)} ${s.count}`,
            ]),
        };
      }),
    render() {
      const out: string[] = [];
      for (const f of families.values()) {
        out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${f.name} ${f.type}`, ...f.lines());
      }
      return `${out.join("\n")}\n`;
    },
  };
}
