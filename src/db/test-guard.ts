/**
 * Refuses to let the test suite (which empties collections) touch a database that looks
 * like production. Only a loopback server with a database name containing "test" passes.
 */
export class UnsafeTestDatabaseError extends Error {
  override readonly name = 'UnsafeTestDatabaseError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function assertSafeTestDatabase(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new UnsafeTestDatabaseError(`Refusing to run tests: cannot parse database URI`);
  }
  const hosts = url.host.split(',').map((h) => h.replace(/:\d+$/, ''));
  const dbName = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (url.protocol === 'mongodb+srv:' || !hosts.every((h) => LOOPBACK.has(h))) {
    throw new UnsafeTestDatabaseError(`Refusing to run tests against a non-loopback database host (${url.host})`);
  }
  if (!/test/i.test(dbName) || /prod/i.test(dbName)) {
    throw new UnsafeTestDatabaseError(`Refusing to run tests against database "${dbName}": its name must contain "test"`);
  }
}
