import { expect } from 'chai';
import { vnuErrors } from '../helpers/vnu.js';
describe('browser suite helper: the Nu HTML checker run once over many pages', function () {
  this.timeout(120000);
  it('names the page with an error (a form inside a span) and passes the valid one: the check can fail', async () => {
    const bad = '<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>x</title></head><body><span><form method="post" action="/x"><button>b</button></form></span></body></html>';
    const good = '<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>x</title></head><body><p>ok</p></body></html>';
    const errors = await vnuErrors([{ name: 'bad', html: bad }, { name: 'good', html: good }]);
    expect(errors.map((e) => e.page)).to.include('bad').and.not.include('good');
  });
});
