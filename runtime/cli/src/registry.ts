import { createRegistry } from '@faultline/runtime';
import { clickhouseSink } from '@faultline/sink-clickhouse';

/** Every component this build of faultline knows, by kind and type. Add a factory here to make it configurable. */
export const registry = createRegistry([
  clickhouseSink,
]);
