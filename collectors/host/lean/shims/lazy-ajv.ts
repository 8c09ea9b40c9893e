// @platformatic/kafka compiles 43 ajv validators for its client options when its modules load (+25 MB RSS of
// generated code), and calls them only with `strict: true`, which faultline never sets. The lean bundle rewrites
// each `ajv.compile(schema)` into `lazyCompile(ajv, schema)`: compiled on the first call, if one ever comes.
interface Ajv {
  compile(schema: unknown): ((data: unknown) => boolean) & { errors?: unknown };
}

export function lazyCompile(ajv: Ajv, schema: unknown) {
  let compiled: ReturnType<Ajv['compile']> | undefined;
  const validate = (data: unknown): boolean => {
    compiled ??= ajv.compile(schema);
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = null as unknown;
  return validate;
}
