// What the runtime's telemetry uses of prom-client. Its index also loads the Pushgateway (http, https, tls),
// the cluster aggregator and the default metrics (perf_hooks): +13 MB RSS for classes the bus never calls.
// The bundler resolves `prom-client/lib/*` to the installed package's files (bundle.ts).
// @ts-expect-error prom-client publishes types for its index only
export { default as Registry } from 'prom-client/lib/registry';
// @ts-expect-error as above
export { default as Counter } from 'prom-client/lib/counter';
// @ts-expect-error as above
export { default as Gauge } from 'prom-client/lib/gauge';
