import type { ProbableCause } from '@faultline/schemas';

/** How a detector judges one entity this interval. `undecided` says nothing and keeps whatever was said before. */
export type Verdict = 'bad' | 'ok' | 'undecided';

export interface Judgement {
  /** The entity path below the host: `interface=eth0`. */
  entity: string;
  verdict: Verdict;
  /** Why it is bad, for reason_text. */
  reason?: string;
  /** When the cause depends on the entity (a hot sensor or a low voltage). */
  probableCause?: ProbableCause;
}

/** What the collector last said about each entity: raised (a set was sent) or ok (a clear was sent). */
export type Said = ReadonlyMap<string, 'raised' | 'ok'>;

export interface Transition {
  op: 'set' | 'clear';
  entity: string;
  reason?: string;
  probableCause?: ProbableCause;
}

/**
 * Turns this interval's judgements into sets and clears, sending each only when it changes what was said.
 * The first judgement of an entity always speaks, so a clear goes out for every healthy entity after a start:
 * an alarm raised before a collector restart does not linger once the fault is gone. An entity that
 * disappears (interface removed, filesystem unmounted) is cleared if it was raised, then forgotten.
 */
export function transitions(said: Said, judgements: readonly Judgement[]): { said: Map<string, 'raised' | 'ok'>; out: Transition[] } {
  const next = new Map<string, 'raised' | 'ok'>();
  const out: Transition[] = [];
  for (const j of judgements) {
    const before = said.get(j.entity);
    if (j.verdict === 'bad') {
      if (before !== 'raised') {
        const t: Transition = { op: 'set', entity: j.entity };
        if (j.reason) t.reason = j.reason;
        if (j.probableCause) t.probableCause = j.probableCause;
        out.push(t);
      }
      next.set(j.entity, 'raised');
    } else if (j.verdict === 'ok') {
      if (before !== 'ok') out.push({ op: 'clear', entity: j.entity });
      next.set(j.entity, 'ok');
    } else if (before) {
      next.set(j.entity, before);
    }
  }
  for (const [entity, before] of said) {
    if (next.has(entity)) continue;
    if (before === 'raised') out.push({ op: 'clear', entity });
  }
  return { said: next, out };
}
