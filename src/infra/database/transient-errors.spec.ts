import { isTransientDbError } from './transient-errors';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isTransientDbError', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a refused connection to a name with several addresses (AggregateError, no message)', Object.assign(new AggregateError([]), { code: 'ECONNREFUSED' })],
    ['a connection reset', withCode('ECONNRESET')],
    ['a timed-out connect', withCode('ETIMEDOUT')],
    ['an unreachable host', withCode('EHOSTUNREACH')],
    ['a DNS lookup to try again', withCode('EAI_AGAIN')],
    ['a connection that died mid-query (node-postgres)', new Error('Connection terminated unexpectedly')],
    ['a connection timeout of the pool', new Error('timeout exceeded when trying to connect')],
    ['an administrator shutdown (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['a database starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection failure SQLSTATE (08006)', withCode('08006')],
    ['a serialization failure (40001)', withCode('40001')],
    ['a deadlock (40P01)', withCode('40P01')],
    ['a TypeORM QueryFailedError around a lost connection', Object.assign(new Error('query failed'), { driverError: { code: '57P01' } })],
  ])('is true for %s', (_, error) => {
    expect(isTransientDbError(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error (42601)', withCode('42601', 'syntax error at or near "SELEC"')],
    ['a missing table (42P01)', withCode('42P01', 'relation "herald_events" does not exist')],
    ['an invalid UUID (22P02)', withCode('22P02', 'invalid input syntax for type uuid')],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a name that does not resolve (misconfiguration)', withCode('ENOTFOUND', 'getaddrinfo ENOTFOUND db.invalid')],
    ['a non-error', 'boom'],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isTransientDbError(error)).toBe(false);
  });
});
