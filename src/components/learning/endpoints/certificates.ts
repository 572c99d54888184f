import { z } from 'zod';
import { NotFoundError } from '../../../lib/errors.js';
import { endpoint, PUBLIC, signedInUser, type PageReply, type Translate } from '../../../web/endpoints.js';
import { normaliseCertificateCode } from '../certificate-code.js';
import { certificatePdf, formatDateLong, formatHours } from '../pdf.js';
import { take, type LearningPagesDeps } from './shared.js';

const CERTIFICATE_FILE = /^[A-Za-z0-9-]{12,20}\.pdf$/;

/** A code as typed: at most 40 characters of text, or nothing. */
const typedCode = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' ? v.slice(0, 40) : undefined));

/** The public check of a certificate: the form, what was typed, and the certificate when it is genuine. */
function verifyPage(t: Translate, status: number, view: Record<string, unknown>): PageReply {
  return { view: 'pages/learning/verify', status, model: { title: t('learning:verify.title'), code: '', certificate: null, error: null, ...view } };
}

export function certificateEndpoints({ learning }: LearningPagesDeps) {
  return [
    // GET /mine-kurs/kursbevis/:file — my certificate as a PDF (`<code>.pdf`); nobody else's, whatever their role.
    endpoint({
      method: 'get',
      path: '/mine-kurs/kursbevis/:file',
      summary: 'My certificate (kursbevis) as a PDF, by its code; nobody else’s, whatever their role',
      access: take,
      params: z.object({ file: z.string() }),
      async handle(context) {
        const { file } = context.params;
        // A malformed name is no certificate (404), like an unknown code.
        if (!CERTIFICATE_FILE.test(file)) throw new NotFoundError('bad certificate file');
        const data = await learning.certificateForOwner(signedInUser(context), file.slice(0, -4));
        return { file: await certificatePdf(data, context.t, context.lang), type: 'application/pdf', filename: `kursbevis-${data.moduleSlug}-${data.code}.pdf` };
      },
    }),
    // GET /bevis — anyone can check a certificate: a form to type its code (`?kode=` goes to /bevis/<code>).
    endpoint({
      method: 'get',
      path: '/bevis',
      summary: 'Anyone can check a certificate: a form to type its code (`?kode=` goes on to /bevis/<code>)',
      access: PUBLIC,
      query: z.object({ kode: typedCode }),
      async handle(context) {
        const typed = context.query.kode;
        if (typed === undefined) return verifyPage(context.t, 200, {});
        const code = normaliseCertificateCode(typed);
        if (!code) return verifyPage(context.t, 400, { code: typed, error: 'learning:verify.invalid' });
        return { redirect: `/bevis/${code}` };
      },
    }),
    // GET /bevis/:code — public: confirms a certificate is genuine, showing only what the certificate shows.
    endpoint({
      method: 'get',
      path: '/bevis/:code',
      summary: 'Public: confirms a certificate is genuine, showing only what the certificate shows',
      access: PUBLIC,
      params: z.object({ code: z.string().transform((v) => v.slice(0, 40)) }),
      async handle({ params, t, lang }) {
        const typed = params.code;
        const code = normaliseCertificateCode(typed);
        // A code typed in another form (lower case, without dashes) has one address, for good.
        if (code && code !== typed) return { redirect: `/bevis/${code}`, status: 301 };
        const certificate = code ? await learning.verifyCertificate(code) : null;
        return certificate
          ? verifyPage(t, 200, { code, certificate: { ...certificate, date: formatDateLong(certificate.completedAt, lang), hours: formatHours(certificate.minutes, lang) } })
          : verifyPage(t, 404, { code: typed, error: code ? 'learning:verify.notFound' : 'learning:verify.invalid' });
      },
    }),
  ];
}
