import type { GroupAssignment, GroupPartitionsAssigner, GroupPartitionsAssignments } from '@platformatic/kafka';

/**
 * Partition p of every subscribed topic goes to the same member (Kafka's RangeAssignor per
 * partition number): the correlator keeps per-host state, and a host's metrics, faults and
 * heartbeats are keyed by host, so with equal partition counts they sit on the same partition
 * number and must have one owner. The round-robin default spreads a topic's partitions
 * independently of the others' and would give one host two owners.
 */
export const copartitionedAssigner: GroupPartitionsAssigner = (_current, members, topics, metadata) => {
  const ids = [...members.keys()].sort();
  const out: GroupPartitionsAssignments[] = ids.map((memberId) => ({ memberId, assignments: new Map<string, GroupAssignment>() }));
  if (!out.length) return out;
  for (const topic of [...topics].sort()) {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    for (let p = 0; p < count; p++) {
      const a = out[p % out.length]!.assignments;
      let t = a.get(topic);
      if (!t) a.set(topic, (t = { topic, partitions: [] }));
      t.partitions.push(p);
    }
  }
  return out;
};
