import type { LearningLogEntry } from './learning.service.js';
import { formatDateLong, type Translate } from './pdf.js';

/** Quotes a person's own text as Markdown, line by line, so it cannot turn into headings or lists. */
function quote(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => `> ${line}`.trimEnd())
    .join('\n');
}

/** The learning log as Markdown: one section per module, each text under its lesson and prompt. */
export function learningLogMarkdown(name: string, entries: LearningLogEntry[], t: Translate, lang: string, now = new Date()): string {
  const lines: string[] = [`# ${t('learning:log.pdfTitle', { name })}`, '', t('learning:log.markdownIntro', { date: formatDateLong(now, lang) }), ''];
  if (entries.length === 0) lines.push(t('learning:log.empty'), '');
  let module = '';
  for (const entry of entries) {
    if (entry.moduleTitle !== module) {
      module = entry.moduleTitle;
      lines.push(`## ${module}`, '');
    }
    lines.push(`### ${entry.lessonTitle}${entry.title ? ` – ${entry.title}` : ''}`, '');
    lines.push(`*${entry.prompt.replace(/\s+/g, ' ').trim()}*`, '');
    if (entry.tried !== null) lines.push(entry.tried ? t('learning:log.tried') : t('learning:log.notTried'), '');
    if (entry.text.trim()) lines.push(quote(entry.text), '');
    if (entry.savedAt) lines.push(`_${t('learning:log.savedOn', { date: formatDateLong(entry.savedAt, lang) })}_`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
