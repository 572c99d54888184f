import { expect } from 'chai';
import { assertSafeTestDatabase, UnsafeTestDatabaseError } from '../../src/db/index.js';

describe('db: test-database guard', () => {
  it('a loopback server with a test database: allowed', () => {
    expect(() => assertSafeTestDatabase('mongodb://127.0.0.1:27017/fellesskap_test')).not.to.throw();
    expect(() => assertSafeTestDatabase('mongodb://localhost/test')).not.to.throw();
  });

  it('a remote host: refused', () => {
    expect(() => assertSafeTestDatabase('mongodb://db.kommune.no:27017/fellesskap_test')).to.throw(UnsafeTestDatabaseError, /non-loopback/);
  });

  it('an SRV (cloud) URI: refused', () => {
    expect(() => assertSafeTestDatabase('mongodb+srv://cluster0.example.net/fellesskap_test')).to.throw(UnsafeTestDatabaseError);
  });

  it('a database name without "test": refused', () => {
    expect(() => assertSafeTestDatabase('mongodb://127.0.0.1:27017/fellesskap')).to.throw(UnsafeTestDatabaseError, /must contain "test"/);
  });

  it('a name that mentions prod: refused even on loopback', () => {
    expect(() => assertSafeTestDatabase('mongodb://127.0.0.1/prod_test')).to.throw(UnsafeTestDatabaseError);
  });

  it('a replica set where one member is remote: refused', () => {
    expect(() => assertSafeTestDatabase('mongodb://127.0.0.1:1,10.0.0.5:2/x_test')).to.throw(UnsafeTestDatabaseError);
  });
});
