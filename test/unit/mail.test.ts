import { expect } from 'chai';
import { z } from 'zod';
import { defineMailTemplate, renderMail } from '../../src/components/mail/index.js';

const greeting = defineMailTemplate({
  name: 'test.greeting',
  params: z.object({ name: z.string().min(1), link: z.url() }),
  compose: (t, p) => ({
    subject: t('accounts:mail.reset.subject'),
    intro: [t('accounts:mail.greeting', { name: p.name })],
    action: { label: t('accounts:mail.reset.action'), url: p.link },
    outro: [t('accounts:mail.reset.validity')],
  }),
});

describe('mail: renderMail', () => {
  it('bokmål: subject, a text part with the link on its own line and the footer, and an HTML part', async () => {
    const mail = await renderMail(greeting, { name: 'Kari', link: 'https://f.example/passord/ny/abc' }, 'nb');
    expect(mail.subject).to.equal('Nytt passord til Fellesskap');
    expect(mail.text).to.contain('Hei Kari,\n\nVelg nytt passord:\nhttps://f.example/passord/ny/abc\n\nLenken virker i én time');
    expect(mail.text).to.match(/\n-- \nDenne e-posten er sendt automatisk fra Fellesskap/);
    expect(mail.html).to.contain('<html lang="nb">');
    expect(mail.html).to.contain('href="https://f.example/passord/ny/abc"');
  });

  it('nynorsk and English: the same template in the reader\'s language', async () => {
    const nn = await renderMail(greeting, { name: 'Kari', link: 'https://f.example/x' }, 'nn');
    const en = await renderMail(greeting, { name: 'Kari', link: 'https://f.example/x' }, 'en');
    expect(nn.text).to.contain('Lenkja verkar i éin time');
    expect(nn.html).to.contain('<html lang="nn">');
    expect(en.subject).to.equal('New password for Fellesskap');
    expect(en.text).to.contain('Hello Kari,');
  });

  it('a name with markup: escaped in the HTML part, kept as typed in the text part', async () => {
    const mail = await renderMail(greeting, { name: '<script>alert(1)</script>', link: 'https://f.example/x' }, 'nb');
    expect(mail.html).not.to.contain('<script>');
    expect(mail.html).to.contain('&lt;script&gt;');
    expect(mail.text).to.contain('Hei <script>alert(1)</script>,');
  });

  it('parameters that do not fit the template: refused before anything is rendered', async () => {
    let error: unknown;
    await renderMail(greeting, { name: '', link: 'not a url' }, 'nb').catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(z.ZodError);
  });
});
