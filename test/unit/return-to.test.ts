import { expect } from 'chai';
import { safeReturnTo } from '../../src/components/accounts/index.js';

describe('accounts: safeReturnTo', () => {
  it('a local path: kept', () => {
    expect(safeReturnTo('/moduler/medvirkning?x=1')).to.equal('/moduler/medvirkning?x=1');
  });
  for (const evil of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/ok\r\nSet-Cookie: x', '', 42, undefined]) {
    it(`${JSON.stringify(evil)}: replaced by the fallback`, () => {
      expect(safeReturnTo(evil)).to.equal('/');
    });
  }
});
