import { expect } from 'chai';
import { isValidOrgNumber, normaliseOrgNumber } from '../../src/components/organisation/index.js';

const WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];
const weightedSum = (eight: string) => WEIGHTS.reduce((s, w, k) => s + w * Number(eight[k]), 0);

describe('organisation numbers (mod-11)', () => {
  it('valid numbers from Enhetsregisteret: accepted', () => {
    // Brønnøysundregistrene and Equinor.
    for (const n of ['974760673', '923609016']) expect(isValidOrgNumber(n), n).to.equal(true);
  });

  it('remainder 0: the check digit is 0, and only 0 is accepted', () => {
    // 3·1 + 2·4 = 11 → remainder 0 → check digit 0.
    expect(weightedSum('10000004') % 11).to.equal(0);
    expect(isValidOrgNumber('100000040')).to.equal(true);
    expect(isValidOrgNumber('100000041')).to.equal(false);
  });

  it('remainder 1 (the check digit would be 10): invalid whatever the last digit', () => {
    // 3·4 = 12 → remainder 1.
    expect(weightedSum('40000000') % 11).to.equal(1);
    for (let check = 0; check <= 9; check += 1) expect(isValidOrgNumber(`40000000${check}`), `40000000${check}`).to.equal(false);
  });

  it('other remainders: check digit is 11 − remainder', () => {
    // 3·9 + 2·7 + 7·4 + 6·7 + 5·6 + 4·0 + 3·6 + 2·7 = 173 → remainder 8 → check digit 3.
    expect(weightedSum('97476067') % 11).to.equal(8);
    expect(isValidOrgNumber('974760673')).to.equal(true);
  });

  it('wrong check digit, wrong length, letters, spaces or empty: invalid', () => {
    for (const n of ['974760674', '974760670', '97476067', '9747606730', '97476067X', '', 'abcdefghi', '974 760 673']) {
      expect(isValidOrgNumber(n), JSON.stringify(n)).to.equal(false);
    }
  });

  it('normalise: removes the spaces, dots and no-break spaces people type', () => {
    expect(normaliseOrgNumber('974 760 673')).to.equal('974760673');
    expect(normaliseOrgNumber('974.760.673')).to.equal('974760673');
    expect(normaliseOrgNumber('974\u00a0760\u00a0673')).to.equal('974760673');
    expect(isValidOrgNumber(normaliseOrgNumber(' 974 760 673 '))).to.equal(true);
  });
});
