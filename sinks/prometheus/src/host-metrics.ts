import type { MetricBatch, MetricMeta } from '@faultline/schemas';
import { exposedName, familyHeader, formatValue, labelName, seriesPrefix, type MetricType } from './exposition.js';

interface Series { prefix: string; value: number; seenAt: number; /** every key it is filed under in its node's map */ keys: string[] }
/** Series by node, then by label key: the node is not part of every key, and a node's series sit together. */
interface Family { name: string; type: MetricType; help: string; byNode: Map<string, Map<string, Series>> }
interface RawName { family: Family; meta: MetricMeta | undefined }
interface CollectorState { lastReport: string; interval: string; ts: number; intervalMs: number; seenAt: number }
interface NodeState { received: string; samples: number; seenAt: number }

export interface Expiry {
  /** A series not refreshed for this long leaves the exposition. */
  seriesMs: number;
  /** The collector liveness series stay this long, so a collector-down alert keeps firing after the data is gone. */
  livenessMs: number;
}

export interface HostMetricStore {
  ingest(batch: MetricBatch, now: number): void;
  /** The exposition text of every live series; expired series are dropped on the way. */
  render(now: number, expiry: Expiry): string;
  readonly seriesCount: number;
}

const LIVENESS = {
  lastReport: familyHeader('faultline_collector_last_report_timestamp_seconds', 'gauge',
    'Time of the last metric batch from this collector on this node (the batch\'s own timestamp).'),
  interval: familyHeader('faultline_collector_interval_seconds', 'gauge', 'Reporting interval the collector declares.'),
  received: familyHeader('faultline_node_samples_received_total', 'counter',
    'Samples received from this node. Kept across silences: hidden while the node is stale, resumed when it returns.'),
};

/**
 * The host metrics of every node, as the latest value of each series. Counters are passed through
 * as the collector reports them (cumulative on the host), so a node that goes silent and comes back
 * continues where it was: nothing here resets them.
 */
export function createHostMetricStore(nodeLabel: string): HostMetricStore {
  const families = new Map<string, Family>();
  const rawNames = new Map<string, RawName>();
  const collectors = new Map<string, CollectorState>();
  const nodes = new Map<string, NodeState>();
  let seriesCount = 0;

  function familyOf(raw: string, meta: MetricMeta | undefined): Family {
    const known = rawNames.get(raw);
    if (known && (!meta || sameMeta(known.meta, meta))) return known.family;
    const type: MetricType = meta?.type ?? (raw.endsWith('_total') ? 'counter' : 'gauge');
    const name = exposedName(raw, type, meta?.unit ?? '');
    let family = families.get(name);
    if (!family) families.set(name, (family = { name, type, help: '', byNode: new Map() }));
    // The first type wins: a family with two types would make the whole exposition invalid.
    if (meta?.help && family.type === type) family.help = meta.help;
    rawNames.set(raw, { family, meta: meta ?? known?.meta });
    return family;
  }

  return {
    ingest(batch, now) {
      const node = batch.node;
      let last: Family | undefined;
      let lastName = '';
      let series: Map<string, Series> | undefined;
      for (const s of batch.samples) {
        if (s.name !== lastName || !last) {
          last = familyOf(s.name, batch.meta?.[s.name]);
          lastName = s.name;
          series = last.byNode.get(node);
          if (!series) last.byNode.set(node, (series = new Map()));
        }
        // Fast path: the label key in the sample's own order; a miss retries with sorted keys, so
        // the same label set in another order is the same series (filed under both keys).
        let key = '';
        for (const k in s.labels) key += k + '\0' + s.labels[k] + '\0';
        const found = series!.get(key);
        if (found) {
          found.value = s.value;
          found.seenAt = now;
          continue;
        }
        const keys = Object.keys(s.labels).sort();
        let sorted = '';
        for (const k of keys) sorted += k + '\0' + s.labels[k] + '\0';
        const same = series!.get(sorted);
        if (same) {
          same.value = s.value;
          same.seenAt = now;
          same.keys.push(key);
          series!.set(key, same);
          continue;
        }
        const pairs: [string, string][] = [[nodeLabel, node]];
        for (const k of keys) {
          const name = labelName(k);
          if (name !== nodeLabel) pairs.push([name, s.labels[k]!]);
        }
        const created: Series = { prefix: seriesPrefix(last.name, pairs) + ' ', value: s.value, seenAt: now, keys: [sorted] };
        series!.set(sorted, created);
        if (key !== sorted) { created.keys.push(key); series!.set(key, created); }
        seriesCount++;
      }
      const ckey = node + '\0' + batch.collector;
      const labels: [string, string][] = [[nodeLabel, node], ['collector', batch.collector]];
      const c = collectors.get(ckey) ?? {
        lastReport: seriesPrefix('faultline_collector_last_report_timestamp_seconds', labels) + ' ',
        interval: seriesPrefix('faultline_collector_interval_seconds', labels) + ' ',
        ts: 0, intervalMs: 0, seenAt: 0,
      };
      c.ts = Math.max(c.ts, batch.ts);
      c.intervalMs = batch.interval_ms;
      c.seenAt = now;
      collectors.set(ckey, c);
      const n = nodes.get(node) ?? { received: seriesPrefix('faultline_node_samples_received_total', [[nodeLabel, node]]) + ' ', samples: 0, seenAt: 0 };
      n.samples += batch.samples.length;
      n.seenAt = now;
      nodes.set(node, n);
    },

    render(now, expiry) {
      // One growing string: V8 keeps appends as a rope and flattens it once when it is written out.
      let out = '';
      const seriesCutoff = now - expiry.seriesMs;
      for (const family of families.values()) {
        let header = false;
        for (const [node, series] of family.byNode) {
          for (const [key, s] of series) {
            if (s.keys[0] !== key) continue; // an alias: rendered under its first key
            if (s.seenAt < seriesCutoff) {
              for (const k of s.keys) series.delete(k);
              seriesCount--;
              continue;
            }
            if (!header) {
              out += familyHeader(family.name, family.type, family.help || `${family.name} (the collector sent no HELP text)`);
              header = true;
            }
            out += s.prefix + formatValue(s.value) + '\n';
          }
          if (!series.size) family.byNode.delete(node);
        }
      }
      const livenessCutoff = now - expiry.livenessMs;
      for (const [k, c] of collectors) if (c.seenAt < livenessCutoff) collectors.delete(k);
      if (collectors.size) {
        out += LIVENESS.lastReport;
        for (const c of collectors.values()) out += c.lastReport + formatValue(c.ts / 1000) + '\n';
        out += LIVENESS.interval;
        for (const c of collectors.values()) out += c.interval + formatValue(c.intervalMs / 1000) + '\n';
      }
      let receivedHeader = false;
      for (const n of nodes.values()) {
        if (n.seenAt < seriesCutoff) continue; // hidden, never forgotten: a returning node's counter goes on
        if (!receivedHeader) out += LIVENESS.received;
        receivedHeader = true;
        out += n.received + n.samples + '\n';
      }
      return out;
    },

    get seriesCount() { return seriesCount; },
  };
}

const sameMeta = (a: MetricMeta | undefined, b: MetricMeta) =>
  !!a && a.type === b.type && a.unit === b.unit && a.help === b.help;
