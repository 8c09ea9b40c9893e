// What the host collector uses of @faultline/runtime, and nothing else: the benchmark bundles the collector
// with this in place of the runtime's index, which also loads the Kafka client, the config loader and
// telemetry — the runtime's cost, shared by every component of a `faultline` process, not the collector's.
export { once } from '../../runtime/core/src/component.js';
export { DurationSchema, parseDuration } from '../../runtime/core/src/duration.js';
export { silentLogger } from '../../runtime/core/src/log.js';
