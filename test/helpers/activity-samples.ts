import path from 'node:path';
import ejs from 'ejs';
import i18next, { type TFunction } from 'i18next';
import { paths } from '../../src/config/index.js';
import { registry, type ViewContext } from '../../src/activities/index.js';
import { renderText } from '../../src/lib/markdown.js';
import { loadResources } from '../../src/web/i18n.js';

/**
 * Settings an author could write for each activity kind, for tests that go through every kind. A
 * new kind needs one here: the contract test fails until it has one.
 */
export function activitySamples(): Record<string, Record<string, unknown>> {
  return {
    reading: { id: 'lesson:intro' },
    video: { id: 'film', title: 'Film', src: 'assets/film.mp4', captions: 'assets/film.vtt', transcript: 'assets/film.md' },
    quiz: {
      id: 'sjekk',
      title: 'Sjekk',
      passMark: 100,
      questions: [
        {
          id: 'q1',
          text: 'Hva <b>er</b> riktig?',
          options: [
            { text: 'Riktig svar', correct: true, explanation: 'HEMMELIG-FORKLARING-1' },
            { text: 'Feil svar', correct: false, explanation: 'HEMMELIG-FORKLARING-2' },
          ],
        },
      ],
    },
    reflection: { id: 'tenk', prompt: 'Tenk på <script>alert(1)</script> et barn.' },
    'workplace-task': { id: 'prov', title: 'Prøv', instructions: 'Gjør det.', reportPrompt: 'Hva skjedde?' },
    'self-assessment': {
      id: 'kartlegging-for',
      phase: 'before',
      statements: [
        { id: 'u1', text: 'Jeg vet hvordan jeg kan <b>lytte</b> til barn.' },
        { id: 'u2', text: 'Jeg kan forklare hva medvirkning er.' },
        { id: 'u3', text: 'Jeg spør barna før vi bestemmer.' },
        { id: 'u4', text: 'Jeg forteller barna hva som skjedde med det de sa.' },
      ],
    },
    'module-evaluation': { id: 'vurdering', intro: 'Svarene hjelper oss å gjøre modulen bedre.' },
    'team-session': { id: 'mote', title: 'Møte', purpose: 'P', minutes: 30, steps: [{ title: 'S', minutes: 10, description: 'D' }], questions: ['Q?'] },
  };
}

export const sampleViewContext: ViewContext = { assetUrl: (f) => `/moduler/filer/h/${path.basename(f)}`, readText: () => 'Transkripsjon', markdown: renderText, language: 'nb' };

/** The Norwegian (bokmål) translation function, as pages get it. */
export async function bokmaal(): Promise<TFunction> {
  const instance = i18next.createInstance();
  await instance.init({ resources: loadResources(), lng: 'nb', defaultNS: 'common', interpolation: { escapeValue: false } });
  return instance.getFixedT('nb');
}

/** A kind's partial as a learner's lesson page renders it, in the kind's initial state unless `extra` says otherwise. */
export function renderActivityPartial(kind: string, rawSettings: Record<string, unknown>, t: TFunction, extra: Record<string, unknown> = {}): Promise<string> {
  const definition = registry.get(kind)!;
  const settings = definition.settingsSchema.parse(rawSettings);
  const state = definition.initialState();
  return ejs.renderFile(path.join(paths.views, `${definition.partial}.ejs`), {
    activity: { id: settings.id, kind, required: settings.required, view: definition.publicSettings(settings, sampleViewContext) },
    state,
    complete: definition.isComplete(settings, state),
    feedback: null,
    actionUrl: '/laer/x/aktiviteter/y',
    actionId: 'a1b2c3',
    csrfToken: 'csrf-token-value',
    t,
    lang: 'nb',
    ...extra,
  });
}
