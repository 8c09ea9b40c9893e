// Bundles the lean `faultline collector host` (main.ts) into one CommonJS file plus tracing.cjs, loaded only when
// tracing is on. What the bundle leaves out or defers, each measured with bench/collector (RSS of the process):
// - the OpenTelemetry SDK: shims/tracing.ts;
// - prom-client's index (Pushgateway, cluster, default metrics): shims/prom-client.ts;
// - tls, crypto and zlib, which the Kafka client imports at load but needs only for TLS, SASL/SCRAM and gzip:
//   lazyBuiltin() loads each on the first call of one of its functions;
// - the Kafka client's schema registries (avsc, a second ajv): dropped as unused once its modules are marked
//   free of side effects.
//   node --conditions=@faultline/source --import tsx collectors/host/lean/bundle.ts <outdir>
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build, type BuildOptions, type OutputFile, type Plugin } from 'esbuild';

const here = import.meta.dirname;
const root = resolve(here, '../../..');
const runtimeSrc = join(root, 'runtime/core/src');
const LAZY_BUILTINS = ['tls', 'crypto', 'zlib'];

/**
 * Functions served without loading the builtin. The Kafka producer calls crypto.randomUUID() for a transactional
 * id it makes even when it is not transactional, and nothing else of crypto without TLS or SASL: 16 bytes of
 * /dev/urandom as an RFC 4122 version 4 UUID keep crypto and OpenSSL's initialisation unloaded (-1 MB RSS of
 * the running collector; tested in test/lean.test.ts).
 */
const OWN: Record<string, Record<string, string>> = {
  crypto: {
    randomUUID: `export function randomUUID() {
  if (m) return m.randomUUID();
  const b = Buffer.alloc(16);
  const fs = process.getBuiltinModule('node:fs');
  const fd = fs.openSync('/dev/urandom', 'r');
  try { fs.readSync(fd, b, 0, 16, null); } finally { fs.closeSync(fd); }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
}`,
  },
};

/** A module with the builtin's functions as wrappers that load it on the first call (process.getBuiltinModule). */
export function lazyBuiltin(name: string): string {
  const real = process.getBuiltinModule(`node:${name}`) as Record<string, unknown>;
  const fns: string[] = [];
  const others: string[] = [];
  for (const key of Object.keys(real)) {
    const d = Object.getOwnPropertyDescriptor(real, key);
    if (d && 'value' in d && typeof d.value === 'function' && /^[A-Za-z_$][\w$]*$/.test(key)) fns.push(key);
    else others.push(key);
  }
  const lines = [
    `let m; const load = () => (m ??= process.getBuiltinModule('node:${name}'));`,
    // `new` must reach the real class (zlib.Gzip, crypto.Hash); `this` the real receiver.
    ...fns.filter((f) => OWN[name]?.[f] === undefined)
      .map((f) => `export function ${f}(...a) { const f = load().${f}; return new.target ? Reflect.construct(f, a) : f.apply(this, a); }`),
    ...Object.values(OWN[name] ?? {}),
    `const all = { ${fns.join(', ')} };`,
    ...others.map((k) => `Object.defineProperty(all, ${JSON.stringify(k)}, { enumerable: true, get: () => load()[${JSON.stringify(k)}] });`),
    'export default all;',
  ];
  return lines.join('\n');
}

function leanPlugin(): Plugin {
  return {
    name: 'lean-collector',
    setup(b) {
      b.onResolve({ filter: /\/tracing\.js$/ }, (args) =>
        args.importer.startsWith(join(runtimeSrc, '')) && resolve(args.resolveDir, args.path) === join(runtimeSrc, 'tracing/tracing.js')
          ? { path: join(here, 'shims/tracing.ts') }
          : undefined);
      b.onResolve({ filter: /^prom-client$/ }, () => ({ path: join(here, 'shims/prom-client.ts') }));
      b.onResolve({ filter: /^prom-client\/lib\// }, (args) =>
        ({ path: join(dirname(createRequire(join(runtimeSrc, 'index.ts')).resolve('prom-client')), `${args.path.slice('prom-client/'.length)}.js`) }));
      b.onResolve({ filter: new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`) }, (args) =>
        args.importer.endsWith('lazy-builtin') ? undefined : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' });
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: lazyBuiltin(args.path), loader: 'js' }));
      // The client's own modules have no side effects worth keeping; unused ones (registries) drop out.
      b.onResolve({ filter: /^\.\.?\// }, (args) =>
        args.importer.includes('/@platformatic/kafka/dist/') ? { path: resolve(args.resolveDir, args.path), sideEffects: false } : undefined);
      b.onResolve({ filter: /^@platformatic\/kafka$/ }, async (args) => {
        if (args.pluginData === 'kafka') return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'kafka' });
        return { path: r.path, sideEffects: false };
      });
      // The client reads its WebAssembly codecs from a file beside its own module; the bundled build inlines them.
      b.onResolve({ filter: /^@platformatic\/wasm-utils$/ }, (args) =>
        b.resolve('@platformatic/wasm-utils/bundled', { kind: 'import-statement', resolveDir: args.resolveDir }));
    },
  };
}

const COMMON: BuildOptions = {
  bundle: true, platform: 'node', target: 'node24', conditions: ['@faultline/source'], logLevel: 'error',
  // Smaller source is less heap: V8 keeps a script's source for the functions it compiles lazily.
  minify: true, legalComments: 'none', sourcemap: false, write: false,
};

/** Writes each output to a temporary name and renames it into place: a process starting meanwhile never reads half a file. */
async function writeOutputs(files: readonly OutputFile[]): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    const tmp = `${file.path}.${process.pid}.tmp`;
    await writeFile(tmp, file.contents);
    await rename(tmp, file.path);
  }
}

/**
 * Bundles `entry` the lean way into `outfile`, as CommonJS: require() of a builtin leaves its lazy parts unloaded,
 * where an ES module's import builds the builtin's whole namespace (~1 MB RSS here). So `entry` must not use
 * top-level await. bench/collector bundles its own entries with it.
 */
export async function bundleLean(entry: string, outfile: string): Promise<void> {
  const r = await build({
    ...COMMON, entryPoints: [entry], format: 'cjs', outfile, plugins: [leanPlugin()],
    define: { 'import.meta.url': '__importMetaUrl', 'import.meta.dirname': '__dirname' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  await writeOutputs(r.outputFiles ?? []);
}

/** Writes `<outdir>/main.cjs` (`faultline collector host`) and `<outdir>/tracing.cjs` beside it (shims/tracing.ts). */
export async function bundleLeanCollector(outdir: string): Promise<void> {
  const tracing = await build({ ...COMMON, entryPoints: [join(runtimeSrc, 'tracing/tracing.ts')], format: 'cjs', outfile: join(outdir, 'tracing.cjs') });
  await writeOutputs(tracing.outputFiles ?? []);
  await bundleLean(join(here, 'main.ts'), join(outdir, 'main.cjs'));
}

if (import.meta.main) {
  const outdir = process.argv[2];
  if (!outdir) throw new Error('usage: bundle.ts <outdir>');
  await bundleLeanCollector(resolve(outdir));
}
