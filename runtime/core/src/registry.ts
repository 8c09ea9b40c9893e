import type { AnyFactory, CollectorFactory, ComponentKind, ProcessorFactory, SinkFactory } from './component.js';

export interface Registry {
  collector: ReadonlyMap<string, CollectorFactory<any>>;
  processor: ReadonlyMap<string, ProcessorFactory<any>>;
  sink: ReadonlyMap<string, SinkFactory<any>>;
}

/** An explicit registry (no plugin loading): a duplicate type is a programming error and fails at start. */
export function createRegistry(factories: readonly AnyFactory[]): Registry {
  const maps: Record<ComponentKind, Map<string, AnyFactory>> = { collector: new Map(), processor: new Map(), sink: new Map() };
  for (const f of factories) {
    if (maps[f.kind].has(f.type)) throw new Error(`two ${f.kind} factories are registered as "${f.type}"`);
    maps[f.kind].set(f.type, f);
  }
  return maps as unknown as Registry;
}
