/**
 * Label matchers, Prometheus-style but written as YAML values: `eth0` (equals), `!=eth0`,
 * `=~eth.*` and `!~lo|docker.*` (regexes, anchored). Compiled once; matching allocates nothing.
 */
export type LabelMatcherSpec = Record<string, string>;

export interface CompiledMatcher {
  name: string;
  test(value: string | undefined): boolean;
}

export function compileMatcher(name: string, spec: string): CompiledMatcher {
  if (spec.startsWith('=~') || spec.startsWith('!~')) {
    const re = new RegExp(`^(?:${spec.slice(2)})$`);
    const negate = spec[0] === '!';
    return { name, test: (v) => re.test(v ?? '') !== negate };
  }
  if (spec.startsWith('!=')) {
    const want = spec.slice(2);
    return { name, test: (v) => (v ?? '') !== want };
  }
  const want = spec.startsWith('=') ? spec.slice(1) : spec;
  return { name, test: (v) => (v ?? '') === want };
}

export function compileMatchers(spec: LabelMatcherSpec | undefined): CompiledMatcher[] {
  return Object.entries(spec ?? {}).map(([name, s]) => compileMatcher(name, s));
}

export function matchesAll(matchers: readonly CompiledMatcher[], labels: Readonly<Record<string, string>>): boolean {
  for (let i = 0; i < matchers.length; i++) {
    const m = matchers[i]!;
    if (!m.test(labels[m.name])) return false;
  }
  return true;
}

/** Checks a matcher spec without compiling it for use: the message names the bad regex. */
export function matcherProblem(spec: string): string | undefined {
  if (!spec.startsWith('=~') && !spec.startsWith('!~')) return undefined;
  try { new RegExp(spec.slice(2)); return undefined; } catch (e) { return (e as Error).message; }
}
