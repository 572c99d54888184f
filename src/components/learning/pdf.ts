import PDFDocument from 'pdfkit';
import type { CertificateData, LearningLogEntry } from './learning.service.js';

/**
 * Certificates (kursbevis) and the learning log as tagged PDFs: PDF 1.7 with a structure tree,
 * a document language and the title shown in the window, so screen readers read them in order.
 * Decoration is marked as an artifact and skipped by assistive technology.
 */

export type Translate = (key: string, params?: Record<string, unknown>) => string;

const PDF_LANG: Record<string, string> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' };
const INK = '#1b1f24';
const BRAND = '#0b5e55';
const MUTED = '#4a525c';

export function formatDateLong(date: Date, lang: string): string {
  return new Intl.DateTimeFormat(PDF_LANG[lang] ?? 'nb-NO', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Oslo' }).format(date);
}

export function formatHours(minutes: number, lang: string): string {
  return new Intl.NumberFormat(PDF_LANG[lang] ?? 'nb-NO', { maximumFractionDigits: 1 }).format(minutes / 60);
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

function newDocument(title: string, subject: string, lang: string): PDFKit.PDFDocument {
  return new PDFDocument({
    size: 'A4',
    margin: 64,
    pdfVersion: '1.7',
    tagged: true,
    lang: PDF_LANG[lang] ?? 'nb-NO',
    displayTitle: true,
    info: { Title: title, Author: 'Fellesskap', Subject: subject, Creator: 'Fellesskap' },
  });
}

/** The certificate: who, which module and version, how long, when, where, and how to verify it. */
export function certificatePdf(data: CertificateData, t: Translate, lang: string): Promise<Buffer> {
  const title = t('learning:certificate.pdfTitle', { module: data.moduleTitle });
  const doc = newDocument(title, `${t('learning:certificate.code')}: ${data.code}`, lang);
  const done = collect(doc);
  const width = doc.page.width - 128;

  doc.markContent('Artifact', { type: 'Layout' });
  doc.lineWidth(3).strokeColor(BRAND).rect(32, 32, doc.page.width - 64, doc.page.height - 64).stroke();
  doc.endMarkedContent();

  const document = doc.struct('Document');
  doc.addStructure(document);
  const add = (tag: string, draw: () => void) => document.add(doc.struct(tag, {}, [draw]));

  doc.y = 110;
  add('P', () => doc.font('Helvetica-Bold').fontSize(14).fillColor(BRAND).text(t('common:product').toUpperCase(), { align: 'center', characterSpacing: 2 }));
  doc.moveDown(1.2);
  add('H1', () => doc.font('Helvetica-Bold').fontSize(34).fillColor(INK).text(t('learning:certificate.heading'), { align: 'center' }));
  doc.moveDown(1.5);
  add('P', () => doc.font('Helvetica').fontSize(13).fillColor(MUTED).text(t('learning:certificate.certifies'), { align: 'center' }));
  doc.moveDown(0.4);
  add('P', () => doc.font('Helvetica-Bold').fontSize(24).fillColor(INK).text(data.holderName, { align: 'center' }));
  doc.moveDown(0.6);
  add('P', () => doc.font('Helvetica').fontSize(13).fillColor(MUTED).text(t('learning:certificate.completed'), { align: 'center' }));
  doc.moveDown(0.4);
  add('H2', () => doc.font('Helvetica-Bold').fontSize(20).fillColor(INK).text(data.moduleTitle, { align: 'center' }));
  doc.moveDown(1.5);

  const facts: Array<[string, string]> = [
    [t('learning:certificate.version'), data.version],
    [t('learning:certificate.hours'), t('learning:certificate.hoursValue', { hours: formatHours(data.minutes, lang) })],
    [t('learning:certificate.date'), formatDateLong(data.completedAt, lang)],
    [t('learning:certificate.units'), data.units.length ? data.units.join(', ') : t('learning:certificate.noUnit')],
  ];
  const list = doc.struct('L');
  document.add(list);
  for (const [label, value] of facts) {
    list.add(
      doc.struct('LI', {}, [
        doc.struct('Lbl', {}, [() => doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(`${label}: `, 64, doc.y, { continued: true, width })]),
        doc.struct('LBody', {}, [() => doc.font('Helvetica').fontSize(12).fillColor(INK).text(value)]),
      ]),
    );
    doc.moveDown(0.3);
  }
  list.end();

  doc.y = doc.page.height - 210;
  add('H2', () => doc.font('Helvetica-Bold').fontSize(13).fillColor(INK).text(t('learning:certificate.verifyHeading'), 64, doc.y, { width }));
  doc.moveDown(0.3);
  add('P', () => doc.font('Helvetica').fontSize(11).fillColor(INK).text(t('learning:certificate.verifyText'), { width }));
  doc.moveDown(0.3);
  add('P', () => doc.font('Helvetica-Bold').fontSize(16).fillColor(INK).text(`${t('learning:certificate.code')}: ${data.code}`, { width }));
  doc.moveDown(0.3);
  add('Link', () => doc.font('Helvetica').fontSize(11).fillColor('#0a4f9e').text(data.verifyUrl, { width, link: data.verifyUrl, underline: true }));

  document.end();
  doc.end();
  return done;
}

/** The learning log for a staff meeting or an appraisal: one section per module. */
export function learningLogPdf(name: string, entries: LearningLogEntry[], t: Translate, lang: string): Promise<Buffer> {
  const title = t('learning:log.pdfTitle', { name });
  const doc = newDocument(title, t('learning:log.heading'), lang);
  const done = collect(doc);
  const document = doc.struct('Document');
  doc.addStructure(document);
  const add = (tag: string, draw: () => void) => document.add(doc.struct(tag, {}, [draw]));

  add('H1', () => doc.font('Helvetica-Bold').fontSize(22).fillColor(INK).text(title));
  doc.moveDown(0.5);
  add('P', () => doc.font('Helvetica').fontSize(11).fillColor(MUTED).text(t('learning:log.pdfIntro')));
  if (entries.length === 0) add('P', () => doc.font('Helvetica').fontSize(12).fillColor(INK).text(t('learning:log.empty')));
  let module = '';
  for (const entry of entries) {
    if (entry.moduleTitle !== module) {
      module = entry.moduleTitle;
      doc.moveDown(1);
      add('H2', () => doc.font('Helvetica-Bold').fontSize(16).fillColor(BRAND).text(module));
    }
    doc.moveDown(0.5);
    add('H3', () => doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(`${entry.lessonTitle}${entry.title ? ` – ${entry.title}` : ''}`));
    add('P', () => doc.font('Helvetica-Oblique').fontSize(10).fillColor(MUTED).text(entry.prompt));
    if (entry.tried !== null) add('P', () => doc.font('Helvetica').fontSize(11).fillColor(INK).text(entry.tried ? t('learning:log.tried') : t('learning:log.notTried')));
    if (entry.text.trim()) add('P', () => doc.font('Helvetica').fontSize(11).fillColor(INK).text(entry.text));
  }
  document.end();
  doc.end();
  return done;
}
