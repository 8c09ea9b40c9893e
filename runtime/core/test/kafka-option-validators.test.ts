// @platformatic/kafka as installed (patches/@platformatic__kafka@2.12.1.patch): its option validators compile on
// their first call instead of at load, and `strict: true` still validates options with the library's own errors.
// No broker: the client validates before it connects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as kafka from '@platformatic/kafka';
import { Producer, UserError, ajv, sendOptionsValidator } from '@platformatic/kafka';

const compiledSchemas: unknown[] = [];
const compile = ajv.compile.bind(ajv);
ajv.compile = ((schema: object) => {
  compiledSchemas.push(schema);
  return compile(schema);
}) as typeof ajv.compile;

const client = { clientId: 'option-validators', bootstrapBrokers: ['127.0.0.1:1'] };

test('a validator compiles on its first call, once, and keeps ajv\'s result and .errors', () => {
  assert.is(compiledSchemas.length, 0, 'nothing compiled since the import');
  assert.is(sendOptionsValidator({ messages: 'not an array' }), false);
  assert.is(compiledSchemas.length, 1, 'compiled at the first call');
  assert.is(compiledSchemas[0], sendOptionsValidator.schema, 'its own schema');
  assert.equal(sendOptionsValidator.errors?.map((e) => [e.instancePath, e.message]), [['/messages', 'must be array']]);
  assert.is(sendOptionsValidator({ messages: [] }), true);
  assert.is(sendOptionsValidator.errors, null);
  assert.is(compiledSchemas.length, 1, 'not compiled again');
});

test('strict: true refuses bad client options with the library\'s UserError', () => {
  try {
    new Producer({ ...client, strict: true, retries: -1 });
    assert.unreachable('a strict producer accepted retries: -1');
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /^\/options\/retries must be >= 0/);
  }
});

test('strict: true refuses bad call options; without strict nothing is validated or compiled', async () => {
  const before = compiledSchemas.length;
  const lax = new Producer(client);
  await lax.close();
  assert.is(compiledSchemas.length, before, 'a producer without strict compiles no validator');
  const strict = new Producer({ ...client, strict: true });
  try {
    await strict.send({ messages: 'nope' as never });
    assert.unreachable('a strict producer sent messages that are not an array');
  } catch (err) {
    assert.instance(err, UserError);
    assert.is((err as Error).message, '/options/messages must be array.');
  } finally {
    await strict.close();
  }
});

test('every option validator the client exports compiles (ajv strict mode) when called', () => {
  // Deferred compilation moves a schema error from load to first use: this finds one after an upgrade.
  const validators = Object.entries(kafka).filter(([name, v]) => name.endsWith('Validator') && typeof v === 'function');
  assert.ok(validators.length >= 38, `${validators.length} validators`);
  for (const [name, validate] of validators) {
    assert.is((validate as (data: unknown) => boolean)(42), false, `${name} refuses a number`);
    assert.ok(Array.isArray((validate as { errors?: unknown }).errors), `${name} sets .errors`);
  }
});

test.run();
