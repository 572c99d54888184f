import { z } from 'zod';
import type { TFunction } from 'i18next';
import { defineMailTemplate } from '../mail/index.js';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const link = z.url({ protocol: /^https?$/ });

/** Dates in the mail's language: the locale is itself a translated text. */
function dateText(t: TFunction, iso: string): string {
  return new Intl.DateTimeFormat(t('reminders:mail.locale'), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

/** A leader's reminder to someone whose deadline for a module has passed. */
export const overdueReminderMail = defineMailTemplate({
  name: 'reminders.overdue',
  params: z.object({ name: z.string().min(1), leaderName: z.string().min(1), moduleTitle: z.string().min(1), deadline: isoDay, link }),
  compose: (t, p) => ({
    subject: t('reminders:mail.overdue.subject', { module: p.moduleTitle }),
    intro: [t('reminders:mail.greeting', { name: p.name }), t('reminders:mail.overdue.intro', { leader: p.leaderName, module: p.moduleTitle, deadline: dateText(t, p.deadline) })],
    action: { label: t('reminders:mail.overdue.action'), url: p.link },
    outro: [t('reminders:mail.overdue.outro')],
  }),
});

const digestParams = z.object({
  name: z.string().min(1),
  upcoming: z.array(z.object({ moduleTitle: z.string(), deadline: isoDay })),
  units: z.array(z.object({ unitName: z.string(), overdue: z.number().int(), modules: z.array(z.object({ moduleTitle: z.string(), people: z.array(z.string()) })) })),
  /** Modules completed three to six months ago whose follow-up is not answered. */
  followUps: z.array(z.object({ moduleTitle: z.string(), link })).default([]),
  myCoursesLink: link,
  leaderLink: link,
  settingsLink: link,
  unsubscribeLink: link,
});

/** The weekly digest: my deadlines in the next 14 days, and overdue staff in the units I lead. */
export const digestMail = defineMailTemplate({
  name: 'reminders.digest',
  params: digestParams,
  compose: (t, p) => {
    const intro = [t('reminders:mail.greeting', { name: p.name })];
    if (p.upcoming.length) {
      intro.push(t('reminders:mail.digest.upcomingIntro'));
      for (const u of p.upcoming) intro.push(t('reminders:mail.digest.upcomingLine', { module: u.moduleTitle, deadline: dateText(t, u.deadline) }));
    }
    if (p.units.length) {
      intro.push(t('reminders:mail.digest.leaderIntro'));
      for (const unit of p.units) {
        intro.push(t('reminders:mail.digest.unitLine', { unit: unit.unitName, count: unit.overdue }));
        for (const m of unit.modules) intro.push(t('reminders:mail.digest.moduleLine', { module: m.moduleTitle, people: m.people.join(', ') }));
      }
    }
    if (p.followUps.length) {
      intro.push(t('reminders:mail.digest.followUpIntro'));
      for (const f of p.followUps) intro.push(t('reminders:mail.digest.followUpLine', { module: f.moduleTitle, link: f.link }));
    }
    const staffFirst = p.upcoming.length > 0 || (p.followUps.length > 0 && !p.units.length);
    return {
      subject: t('reminders:mail.digest.subject'),
      intro,
      action: staffFirst ? { label: t('reminders:mail.digest.myCourses'), url: p.myCoursesLink } : { label: t('reminders:mail.digest.leader'), url: p.leaderLink },
      outro: staffFirst && p.units.length ? [t('reminders:mail.digest.leaderLink', { link: p.leaderLink })] : [],
      unsubscribe: { text: t('reminders:mail.digest.why', { settings: p.settingsLink }), label: t('reminders:mail.digest.unsubscribe'), url: p.unsubscribeLink },
    };
  },
});
