import { expect } from 'chai';
import { EmbeddedDatabaseError, explainStorageError } from '../../src/db/embedded-server.js';

describe('embedded database: explainStorageError', () => {
  const dir = '/srv/fellesskap/data/ferretdb';

  it('a disk I/O error passed on by FerretDB: one line naming the directory, the cause and what to do', () => {
    const raw = new Error('[msg_createindexes.go:155 handler.(*Handler).MsgCreateIndexes] [registry.go:498 metadata.(*Registry).indexesCreate] disk I/O error (778)');
    const explained = explainStorageError(dir, raw);
    expect(explained).to.be.instanceOf(EmbeddedDatabaseError);
    expect(explained!.message).to.equal(
      `The data directory ${dir} cannot be written (the database reports: disk I/O error (778)). Make it writable for the user running the app and make sure the disk has free space, or set DATA_DIR to another directory.`,
    );
    expect(explained!.message).to.not.contain('\n');
  });

  it('a full disk and a read-only database file: explained the same way', () => {
    expect(explainStorageError(dir, new Error('x database or disk is full (13)'))?.message).to.contain('(the database reports: database or disk is full (13))');
    expect(explainStorageError(dir, new Error('x attempt to write a readonly database (8)'))?.message).to.contain('attempt to write a readonly database (8)');
  });

  it('a collection left half-made by an earlier failed write in the same run: says to free space and start again', () => {
    const raw = new Error('[registry.go:294 metadata.(*Registry).collectionCreate] SQL logic error: table "users_5e7cc513" already exists (1)');
    const explained = explainStorageError(dir, raw)?.message ?? '';
    expect(explained).to.contain(dir);
    expect(explained).to.match(/free space and start the app again/);
    expect(explained).to.contain('DATA_DIR');
  });

  it('any other error (unreachable server, a duplicate key, not an error at all): left to the caller', () => {
    expect(explainStorageError(dir, new Error('connect ECONNREFUSED 127.0.0.1:27017'))).to.equal(undefined);
    expect(explainStorageError(dir, new Error('E11000 duplicate key error'))).to.equal(undefined);
    expect(explainStorageError(dir, null)).to.equal(undefined);
  });
});
