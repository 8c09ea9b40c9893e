// metric_batch wire formats side by side on the same batches: JSON (1.x, what every batch was),
// msgpackr with record structures (the library candidate), and the hand-laid columnar 2.x layout
// (schemas/src/metric-wire.ts). Each decode ends where the engine can start: the value checked
// against the schema (JSON, msgpackr) or by the reader itself (columnar).
import { Packr } from 'msgpackr';
import { HEADER_VERSION, decode, encode, metricColumns, validate, type MetricBatch } from '@faultline/schemas';

export interface CodecFigures {
  bytes_per_sample: number;
  encode_per_cpu_s: number;
  decode_per_cpu_s: number;
}

const cpuRate = (samples: number, fn: () => void) => {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    runs.push(samples / ((c.user + c.system) / 1e6));
  }
  return Math.round(runs.sort((a, b) => a - b)[1]!);
};

function plainBatch(b: MetricBatch): MetricBatch {
  const { series, values } = metricColumns(b);
  return {
    node: b.node, collector: b.collector, ts: b.ts, interval_ms: b.interval_ms,
    samples: series.names.map((name, i) => ({ name, labels: { ...series.labels[i] }, value: values[i]! })),
  };
}

const JSON_HEADERS = { 'fl-schema': 'metric_batch', [HEADER_VERSION]: '1.0' };

/** Encode and decode rates (samples per CPU second) and size of each format over `batches`. */
export function compareCodecs(batches: readonly MetricBatch[]): Record<'json' | 'msgpackr' | 'columnar', CodecFigures> {
  const samples = batches.reduce((n, b) => n + metricColumns(b).values.length, 0);
  // JSON and msgpackr get plain objects: reading `samples` of a columnar batch (the simulator's) would
  // build them and drop its columns, and the columnar encoder would then lay out a dictionary per batch.
  const plain = batches.map(plainBatch);
  const json = plain.map((b) => Buffer.from(JSON.stringify(b)));
  const packr = new Packr({ structuredClone: false, useRecords: true });
  const packed = plain.map((b) => packr.pack(b));
  const columnar = batches.map((b) => encode('metric_batch', b));
  const size = (bufs: readonly { length: number }[]) => Math.round((bufs.reduce((n, b) => n + b.length, 0) / samples) * 10) / 10;
  let sink = 0;
  const figures = {
    json: {
      bytes_per_sample: size(json),
      encode_per_cpu_s: cpuRate(samples, () => { for (const b of plain) sink += JSON.stringify(b).length; }),
      decode_per_cpu_s: cpuRate(samples, () => { for (const r of json) if (decode('metric_batch', JSON_HEADERS, r).ok) sink++; }),
    },
    msgpackr: {
      bytes_per_sample: size(packed),
      encode_per_cpu_s: cpuRate(samples, () => { for (const b of plain) sink += packr.pack(b).length; }),
      decode_per_cpu_s: cpuRate(samples, () => { for (const r of packed) if (validate('metric_batch', packr.unpack(r))) sink++; }),
    },
    columnar: {
      bytes_per_sample: size(columnar.map((e) => e.value)),
      encode_per_cpu_s: cpuRate(samples, () => { for (const b of batches) sink += encode('metric_batch', b).value.length; }),
      decode_per_cpu_s: cpuRate(samples, () => { for (const r of columnar) if (decode('metric_batch', r.headers, r.value).ok) sink++; }),
    },
  };
  if (sink === 42) console.log('');
  return figures;
}
