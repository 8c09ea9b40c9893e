import { Type } from '@sinclair/typebox';
import type { AnyFactory, ComponentKind, PipelineConfig, Registry } from '@faultline/runtime';
import { hostCollector } from '../src/index.js';

/** Any section of a type this process does not run: accepted unchecked (`faultline config check` checks it). */
const notRunHere = (kind: ComponentKind, type: string): AnyFactory => ({
  kind, type, stability: 'alpha', description: 'not run by the lean host collector',
  configSchema: Type.Object({}, { additionalProperties: true }),
  create: () => { throw new Error(`the lean host collector does not run ${kind} ${type}`); },
}) as AnyFactory;

class RunsOnly<F extends AnyFactory> extends Map<string, F> {
  constructor(private readonly kind: ComponentKind, factories: readonly F[]) {
    super(factories.map((f) => [f.type, f]));
  }

  override get(type: string): F {
    return super.get(type) ?? (notRunHere(this.kind, type) as F);
  }
}

/**
 * A registry that knows the host collector and lets every other section of the pipeline file through: a
 * collector node shares its pipeline file with the processor and sink nodes, whose component types this
 * process does not load (that is the point of it).
 */
export function collectorOnlyRegistry(): Registry {
  return {
    collector: new RunsOnly('collector', [hostCollector]),
    processor: new RunsOnly('processor', []),
    sink: new RunsOnly('sink', []),
  } as Registry;
}

/** Only the collectors of type host: what `faultline collector host` runs. */
export function selectHostCollectors(config: PipelineConfig): PipelineConfig {
  return { ...config, components: config.components.filter((c) => c.kind === 'collector' && c.factory === hostCollector) };
}
