import { z } from 'zod';
import { endpoint, formList, formText, type Translate } from '../../../web/endpoints.js';
import { auditPage } from '../audit.service.js';
import { renewalPage, settingsPage } from '../settings.service.js';
import { TARGET_SCOPES } from '../settings.js';
import { formatters } from '../present.js';
import { auditRead, configure, pageNumber, type ReportEndpointDeps } from './shared.js';

/** The measure-3 settings (core set and targets), the renewal rules, and the audit log of report views and exports. */

// The service trims each field and reads at most 40 characters of it; the form keeps more, so what
// was typed is read exactly as before.
const targetFields = Object.fromEntries(TARGET_SCOPES.flatMap((scope) => [`mal-${scope}-prosent`, `mal-${scope}-frist`].map((name) => [name, formText(200)])));
const settingsForm = z.object({ kjerne: formText(200), moduler: formList(500, 80) }).extend(targetFields);

const settingsView = async (reports: ReportEndpointDeps['reports'], t: Translate, submitted?: Record<string, unknown>) => ({ title: t('reports:settings.title'), ...(await settingsPage(reports, submitted)) });

export function settingsEndpoints({ reports }: ReportEndpointDeps) {
  return [
    // GET /kommune/rapport/innstillinger — the measure-3 core set and the targets.
    endpoint({
      method: 'get',
      path: '/kommune/rapport/innstillinger',
      summary: 'The measure-3 core set of modules and the completion targets',
      access: configure,
      async handle({ t }) {
        return { view: 'pages/reports/settings', model: { ...(await settingsView(reports, t)), errors: {} } };
      },
    }),
    // POST /kommune/rapport/innstillinger — saves the core set and the targets.
    endpoint({
      method: 'post',
      path: '/kommune/rapport/innstillinger',
      summary: 'Saves the core set and the targets; on errors the form comes back with what was typed',
      access: configure,
      body: settingsForm,
      async handle({ body }) {
        await reports.saveReportSettings(body);
        return { redirect: '/kommune/rapport/innstillinger', flash: { type: 'success', key: 'reports:settings.saved' } };
      },
      invalid: async ({ body, t }, errors) => ({ view: 'pages/reports/settings', model: { ...(await settingsView(reports, t, body)), errors } }),
    }),
    // GET /kommune/rapport/fornying — renewal rules per module.
    endpoint({
      method: 'get',
      path: '/kommune/rapport/fornying',
      summary: 'Renewal rules per module',
      access: configure,
      async handle({ t }) {
        return { view: 'pages/reports/renewal', model: { title: t('reports:renewal.title'), ...(await renewalPage(reports)), errors: {} } };
      },
    }),
    // POST /kommune/rapport/fornying — saves the rules; every status is then recomputed.
    endpoint({
      method: 'post',
      path: '/kommune/rapport/fornying',
      summary: 'Saves the renewal rules; every status is then recomputed',
      access: configure,
      // Its fields are named after the published modules (mnd-<slug>, major-<slug>, overgang-<slug>):
      // a record of text fields, read like any other form's.
      body: z.record(z.string().max(200), formText(200)),
      async handle({ body }) {
        await reports.saveRenewalRules(body);
        return { redirect: '/kommune/rapport/fornying', flash: { type: 'success', key: 'reports:renewal.saved' } };
      },
      invalid: async ({ body, t }, errors) => ({ view: 'pages/reports/renewal', model: { title: t('reports:renewal.title'), ...(await renewalPage(reports, body)), errors } }),
    }),
    // GET /kommune/rapport/logg — who viewed or exported which report, newest first, 50 a page.
    endpoint({
      method: 'get',
      path: '/kommune/rapport/logg',
      summary: 'Who viewed or exported which report, newest first, 50 a page',
      access: auditRead,
      query: z.object({ side: pageNumber }),
      async handle({ query, t, lang }) {
        return { view: 'pages/reports/audit', model: { title: t('reports:audit.title'), log: await auditPage(query.side), fmt: formatters(lang) } };
      },
    }),
  ];
}
