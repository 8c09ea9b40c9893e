import type { Message } from '@platformatic/kafka';
import type { BusRecord } from './types.js';

export type KMessage = Message<Buffer, Buffer, Buffer, Buffer>;

const toHeaders = (m: KMessage): Record<string, string> => {
  const h: Record<string, string> = {};
  for (const [k, v] of m.headers) h[k.toString()] = v.toString();
  return h;
};

/** A fetched message as the bus hands it on: empty keys and values are null (tombstones). */
export const toBusRecord = (m: KMessage): BusRecord => ({
  topic: m.topic, partition: m.partition, offset: m.offset.toString(),
  key: m.key?.length ? m.key.toString() : null,
  value: m.value?.length ? m.value : null,
  headers: toHeaders(m), timestamp: Number(m.timestamp),
});
