import { expect } from 'chai';
import { z } from 'zod';
import { fieldErrorsOf, parseOrThrow } from '../../src/lib/validation.js';
import { ValidationError } from '../../src/lib/errors.js';
import { prng } from '../helpers/prng.js';

/** The one mapping from zod's issues to the field messages the forms show. */
describe('validation: zod issues as field messages', () => {
  const form = z.object({
    name: z.string().min(1, 'organisation:errors.nameRequired'),
    count: z.number().int().min(0),
    kind: z.enum(['a', 'b']),
    tags: z.array(z.string()).max(2),
    when: z.iso.date(),
    nested: z.object({ inner: z.string() }),
  });

  it("zod's own messages (which contain colons: «Invalid input: expected string») never reach a view as a locale key", () => {
    // Random bodies (seeded): whatever zod says, a message is either the schema's own key or the fallback.
    const random = prng(11);
    const values = [undefined, null, '', 'x', 'a', -1, 1.5, 3, [], ['x', 'y', 'z'], {}, { inner: 1 }, '2026-13-45', '2026-01-02', true];
    const pick = () => values[Math.floor(random() * values.length)];
    let checked = 0;
    for (let i = 0; i < 500; i += 1) {
      const body = { name: pick(), count: pick(), kind: pick(), tags: pick(), when: pick(), nested: pick() };
      const parsed = form.safeParse(body);
      if (parsed.success) continue;
      for (const message of Object.values(fieldErrorsOf(parsed.error))) {
        expect(message).to.be.oneOf(['organisation:errors.nameRequired', 'errors:validation']);
        checked += 1;
      }
    }
    expect(checked).to.be.greaterThan(1000);
  });

  it("the schema's own key is kept, one message per field (the first), keyed by the top-level field", () => {
    const parsed = form.safeParse({ name: '', count: 1, kind: 'a', tags: [], when: '2026-01-02', nested: { inner: 5 } });
    expect(parsed.success).to.equal(false);
    expect(fieldErrorsOf(parsed.error!)).to.deep.equal({ name: 'organisation:errors.nameRequired', nested: 'errors:validation' });
  });

  it('a fallback and a field for issues without a path can be given (the password form)', () => {
    const parsed = z.string().min(12).safeParse('kort');
    expect(fieldErrorsOf(parsed.error!, 'accounts:password.length', 'password')).to.deep.equal({ password: 'accounts:password.length' });
  });

  it('parseOrThrow: the parsed value, or a ValidationError with the field messages', () => {
    expect(parseOrThrow(z.object({ n: z.coerce.number() }), { n: '4' })).to.deep.equal({ n: 4 });
    const err = (() => {
      try {
        parseOrThrow(form, {});
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).fields).to.include({ name: 'errors:validation', kind: 'errors:validation' });
  });
});
