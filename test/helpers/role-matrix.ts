/**
 * Every route × every role. Add each new route here with the outcome per role:
 *   'ok'     the request passes authorisation (2xx, a redirect that is not to the login page, or a
 *            400/409/422 about the input — the policy let it through)
 *   'login'  anonymous visitors are sent to the login page (HTML) or get 401 (API)
 *   'deny'   403
 * Paths may use :unitA, :unitB, :self, :staff (the staff person's id), filled in from the fixture,
 * and for administration :spareUnit, :district, :target, :targetMembership and :importId; for
 * authoring :module (a published fixture module) and :assetHash (one of its files); for learning
 * :certificate (the staff member's certificate code for :module); for networks :network (units A and
 * B, coordinated by leader B, the staff member a participant), :gathering (one of its gatherings) and
 * :spareNetwork (one to close).
 */
export type Outcome = 'ok' | 'login' | 'deny';
export type Role = 'anonymous' | 'staff' | 'leaderA' | 'leaderB' | 'author' | 'municipalAdmin';
export interface RouteCase {
  method: 'get' | 'post';
  path: string;
  body?: Record<string, string>;
  expect: Record<Role, Outcome>;
}

const all = (outcome: Outcome): Record<Role, Outcome> => ({
  anonymous: outcome, staff: outcome, leaderA: outcome, leaderB: outcome, author: outcome, municipalAdmin: outcome,
});
export const signedIn = (outcome: Outcome): Record<Role, Outcome> => ({ ...all(outcome), anonymous: 'login' });
const adminOnly: Record<Role, Outcome> = { ...signedIn('deny'), municipalAdmin: 'ok' };
const authorOnly: Record<Role, Outcome> = { ...signedIn('deny'), author: 'ok' };
const leaderAOnly: Record<Role, Outcome> = { ...signedIn('deny'), leaderA: 'ok' };

export const ROUTES: RouteCase[] = [
  { method: 'get', path: '/', expect: all('ok') },
  // Probes for the load balancer and the orchestrator: open to all, no personal data.
  { method: 'get', path: '/healthz', expect: all('ok') },
  { method: 'get', path: '/readyz', expect: all('ok') },
  { method: 'get', path: '/tilgjengelighet', expect: all('ok') },
  { method: 'get', path: '/logg-inn', expect: all('ok') },
  // An empty form: a 400 before any login attempt is counted, so no agent's session changes.
  { method: 'post', path: '/logg-inn', body: { email: '', password: '' }, expect: all('ok') },
  { method: 'post', path: '/logg-ut', expect: all('ok') },
  // The time-out warning's «Fortsett å være innlogget» (session:own): everyone signed in; 401 otherwise.
  { method: 'post', path: '/okt/forleng', expect: signedIn('ok') },
  // Password reset and activation: open to everyone (a signed-in person may reset too).
  { method: 'get', path: '/passord/glemt', expect: all('ok') },
  { method: 'post', path: '/passord/glemt', body: { email: 'ingen@matrix.example' }, expect: all('ok') },
  { method: 'get', path: '/passord/glemt/sendt', expect: all('ok') },
  { method: 'get', path: '/passord/ny/:resetToken', expect: all('ok') },
  // Mismatched passwords: a 400 that leaves the link usable for the next role.
  { method: 'post', path: '/passord/ny/:resetToken', body: { password: 'kort', passwordConfirm: 'annet' }, expect: all('ok') },
  // The development outbox: system admins only (no role in this matrix), never in production.
  { method: 'get', path: '/utvikling/e-post', expect: signedIn('deny') },
  { method: 'get', path: '/utvikling/e-post/:outboxId', expect: signedIn('deny') },
  { method: 'get', path: '/utvikling/e-post/:outboxId/html', expect: signedIn('deny') },
  // GET /logg-inn/sso and /logg-inn/sso/callback exist only when OIDC_ISSUER is set; they are public
  // and covered by test/http/oidc.test.ts against a real provider.

  // Administration: municipal admins (organisation:manage, people:manage). Bodies are deliberately
  // incomplete where a valid one would change the fixture; a 400 still proves the policy let it through.
  { method: 'get', path: '/admin', expect: adminOnly },
  { method: 'get', path: '/admin/enheter', expect: adminOnly },
  { method: 'get', path: '/admin/enheter/ny', expect: adminOnly },
  { method: 'post', path: '/admin/enheter', body: { name: '' }, expect: adminOnly },
  { method: 'get', path: '/admin/enheter/:unitA', expect: adminOnly },
  { method: 'post', path: '/admin/enheter/:unitA', body: { name: '' }, expect: adminOnly },
  { method: 'post', path: '/admin/enheter/:spareUnit/steng', expect: adminOnly },
  { method: 'post', path: '/admin/enheter/:spareUnit/gjenapne', expect: adminOnly },
  { method: 'get', path: '/admin/bydeler', expect: adminOnly },
  { method: 'post', path: '/admin/bydeler', body: { name: '' }, expect: adminOnly },
  { method: 'get', path: '/admin/bydeler/:district', expect: adminOnly },
  { method: 'post', path: '/admin/bydeler/:district', body: { name: '' }, expect: adminOnly },
  // The district has open units, so closing is refused with a 400.
  { method: 'post', path: '/admin/bydeler/:district/steng', expect: adminOnly },
  { method: 'post', path: '/admin/bydeler/:district/gjenapne', expect: adminOnly },
  { method: 'get', path: '/admin/personer', expect: adminOnly },
  { method: 'get', path: '/admin/personer/:target', expect: adminOnly },
  { method: 'post', path: '/admin/personer/:target/medlemskap', body: { unitId: '' }, expect: adminOnly },
  { method: 'post', path: '/admin/personer/:target/medlemskap/:targetMembership/avslutt', body: { endDate: '' }, expect: adminOnly },
  { method: 'post', path: '/admin/personer/:target/roller', expect: adminOnly },
  // No externalId field at all: refused with a 400, so the target keeps its link.
  { method: 'post', path: '/admin/personer/:target/ekstern-id', expect: adminOnly },
  { method: 'post', path: '/admin/personer/:target/deaktiver', expect: adminOnly },
  { method: 'post', path: '/admin/personer/:target/aktiver', expect: adminOnly },
  // The target is active, so no activation link is needed: a 400 for the admin.
  { method: 'post', path: '/admin/personer/:target/aktiveringslenke', expect: adminOnly },
  // Anonymisation: system admins only (no role in this matrix), so a municipal admin is denied too.
  { method: 'post', path: '/admin/personer/:target/anonymiser', body: { confirm: 'yes' }, expect: signedIn('deny') },
  { method: 'get', path: '/admin/import', expect: adminOnly },
  // Not multipart and no file: a 400 with the form again.
  { method: 'post', path: '/admin/import', body: { kind: 'staff' }, expect: adminOnly },
  { method: 'get', path: '/admin/import/eksempel/staff', expect: adminOnly },
  { method: 'get', path: '/admin/import/eksempel/units', expect: adminOnly },
  { method: 'get', path: '/admin/import/:importId', expect: adminOnly },
  // A stale plan hash: 409, nothing applied.
  { method: 'post', path: '/admin/import/:importId/bekreft', body: { planHash: 'stale' }, expect: adminOnly },
  // Everyone's own data (account:own-data).
  { method: 'get', path: '/mine-data', expect: signedIn('ok') },
  { method: 'get', path: '/mine-data/last-ned', expect: signedIn('ok') },
  // Authoring (modules:author). Stale revisions (0; the fixture is at 1) and incomplete bodies get
  // 400/409, so the fixture module stays as it is for the next role.
  { method: 'get', path: '/forfatter/moduler', expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler', body: { slug: '', title: '' }, expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/importer', expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module', expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/innstillinger', expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/innstillinger', body: { revision: '0', title: 'x' }, expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/ordliste', expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/ordliste', body: { revision: '0' }, expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/leksjoner', body: { revision: '0', title: 'Ny' }, expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/leksjoner/01-lytte.md', expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/leksjoner/01-lytte.md', body: { revision: '0', text: 'x' }, expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/leksjoner/01-lytte.md/forhandsvisning', body: { text: '' }, expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/leksjoner/01-lytte.md/flytt', body: { revision: '0', direction: 'down' }, expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/leksjoner/01-lytte.md/slett', body: { revision: '0' }, expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/leksjoner/01-lytte.md/aktivitet', expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/leksjoner/01-lytte.md/aktivitet', body: { revision: '0', type: 'reflection', blokk: '', id: 'x', prompt: 'y' }, expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/filer', body: { revision: '0' }, expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/filer/samtale.png/slett', body: { revision: '0' }, expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/importer', body: { revision: '0' }, expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/eksport', expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/status', body: { status: 'ukjent' }, expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/forhandsvis', expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/forhandsvis/lytte', expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/publiser', expect: authorOnly },
  { method: 'post', path: '/forfatter/moduler/:module/publiser', body: { revision: '0', kind: 'minor', changeNote: '' }, expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/versjoner', expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/versjoner/sammenlign?fra=1.0&til=1.0', expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/statistikk', expect: authorOnly },
  { method: 'get', path: '/forfatter/moduler/:module/statistikk?versjon=1.0', expect: authorOnly },
  // Module files are course material addressed by their hash: served to everyone.
  { method: 'get', path: '/moduler/filer/:assetHash/samtale.png', expect: all('ok') },
  // Learning (learning:take): everyone signed in takes modules and sees only their own progress.
  { method: 'get', path: '/mine-kurs', expect: signedIn('ok') },
  { method: 'get', path: '/mine-kurs?tema=medvirkning', expect: signedIn('ok') },
  { method: 'get', path: '/moduler/:module/', expect: signedIn('ok') },
  { method: 'get', path: '/moduler/:module', expect: signedIn('ok') },
  { method: 'get', path: '/moduler/:module/lytte', expect: signedIn('ok') },
  { method: 'get', path: '/moduler/:module/ordliste', expect: signedIn('ok') },
  // The three-month follow-up: everyone sees the page (a message until it is due); nobody here
  // completed the module three months ago, so an answer is refused (403, the page says why).
  { method: 'get', path: '/moduler/:module/oppfolging', expect: signedIn('ok') },
  { method: 'post', path: '/moduler/:module/oppfolging', body: { scale: '4', text: '' }, expect: signedIn('deny') },
  // No action id: a 400 with the lesson page again, nothing stored.
  { method: 'post', path: '/moduler/:module/lytte/aktiviteter/egen-samtale/save', body: { text: 'x' }, expect: signedIn('ok') },
  // A leader's action is not a learner's, whoever posts it.
  { method: 'post', path: '/moduler/:module/lytte/aktiviteter/lesson%3Alytte/recordAttendance', expect: signedIn('deny') },
  // A certificate (kursbevis): only the person it was issued to (the staff member) downloads it.
  { method: 'get', path: '/mine-kurs/kursbevis/:certificate.pdf', expect: { ...signedIn('deny'), staff: 'ok' } },
  { method: 'get', path: '/mine-kurs/laeringslogg', expect: signedIn('ok') },
  { method: 'get', path: '/mine-kurs/laeringslogg/markdown', expect: signedIn('ok') },
  { method: 'get', path: '/mine-kurs/laeringslogg/pdf', expect: signedIn('ok') },
  // Verifying a certificate is public, without login.
  { method: 'get', path: '/bevis', expect: all('ok') },
  { method: 'get', path: '/bevis?kode=:certificate', expect: all('ok') },
  { method: 'get', path: '/bevis/:certificate', expect: all('ok') },
  // The leader's area: people who lead a unit now, and municipal admins (for the municipality's pages).
  { method: 'get', path: '/leder', expect: { ...signedIn('deny'), leaderA: 'ok', leaderB: 'ok', municipalAdmin: 'ok' } },
  // A unit's assignments, team sessions and reminders: only its own leader (unit:lead), never another
  // unit's leader or a municipal admin. Incomplete bodies get a 400, so the fixture stays as it is.
  { method: 'get', path: '/leder/:unitA/tildelinger', expect: leaderAOnly },
  { method: 'post', path: '/leder/:unitA/tildelinger', body: { moduleSlug: '', target: 'all', deadline: '' }, expect: leaderAOnly },
  { method: 'post', path: '/leder/:unitA/tildelinger/:assignment/frist', body: { deadline: '' }, expect: leaderAOnly },
  { method: 'post', path: '/leder/:unitA/tildelinger/:spareAssignment/trekk-tilbake', expect: leaderAOnly },
  // The municipality's assignments (assignments:municipal).
  { method: 'get', path: '/kommune/tildelinger', expect: adminOnly },
  { method: 'post', path: '/kommune/tildelinger', body: { deadline: '' }, expect: adminOnly },
  { method: 'post', path: '/kommune/tildelinger/trekk-tilbake', body: { batch: ':batch' }, expect: adminOnly },
  { method: 'get', path: '/leder/:unitA/teammoter', expect: leaderAOnly },
  { method: 'post', path: '/leder/:unitA/teammoter', body: { activity: '' }, expect: leaderAOnly },
  { method: 'get', path: '/leder/:unitA/teammoter/:session', expect: leaderAOnly },
  { method: 'get', path: '/leder/:unitA/teammoter/:session/guide', expect: leaderAOnly },
  // Nobody ticked: attendance recorded as "nobody present", which the next route relies on.
  { method: 'post', path: '/leder/:unitA/teammoter/:session/oppmote', expect: leaderAOnly },
  // Attendance is recorded, so cancelling is refused with a 400 and the session stays.
  { method: 'post', path: '/leder/:unitA/teammoter/:session/avlys', expect: leaderAOnly },
  // What a team session went through: the unit's staff and leader (unit:member), nobody else.
  { method: 'get', path: '/teammoter/:session', expect: { ...signedIn('deny'), staff: 'ok', leaderA: 'ok' } },
  { method: 'get', path: '/leder/:unitA/paminnelser', expect: leaderAOnly },
  // The assignment's deadline has not passed: a 400, nothing sent.
  { method: 'post', path: '/leder/:unitA/paminnelser/:assignment', expect: leaderAOnly },
  { method: 'post', path: '/leder/:unitA/paminnelser/:assignment/:staff', expect: leaderAOnly },
  // E-mail settings: everyone for themselves (notifications:own); the signed unsubscribe link works without login.
  { method: 'get', path: '/varsler', expect: signedIn('ok') },
  { method: 'post', path: '/varsler', body: { digest: 'on' }, expect: signedIn('ok') },
  { method: 'get', path: '/varsler/avmeld/:unsubscribe', expect: all('ok') },
  { method: 'post', path: '/varsler/avmeld/:unsubscribe', expect: all('ok') },
  // Completion reports. A unit's dashboard, its exports and its people: only its own leader (unit:lead,
  // and person:view-progress for the drill-down); never another unit's leader or a municipal admin.
  { method: 'get', path: '/leder/enheter', expect: { ...signedIn('deny'), leaderA: 'ok', leaderB: 'ok' } },
  { method: 'get', path: '/leder/enheter/:unitA', expect: leaderAOnly },
  { method: 'get', path: '/leder/enheter/:unitA?sort=navn&retning=desc', expect: leaderAOnly },
  { method: 'get', path: '/leder/enheter/:unitA/eksport.csv', expect: leaderAOnly },
  { method: 'get', path: '/leder/enheter/:unitA/eksport.xlsx', expect: leaderAOnly },
  { method: 'get', path: '/leder/enheter/:unitA/utskrift', expect: leaderAOnly },
  { method: 'get', path: '/leder/enheter/:unitA/personer/:staff', expect: leaderAOnly },
  { method: 'get', path: '/leder/enheter/:unitA/effekt', expect: leaderAOnly },
  { method: 'get', path: '/leder/enheter/:unitB', expect: { ...signedIn('deny'), leaderB: 'ok' } },
  // The municipal measure-3 report: aggregates for municipal admins (reports:municipal) only.
  { method: 'get', path: '/kommune/rapport', expect: adminOnly },
  { method: 'get', path: '/kommune/rapport/bydel/:district', expect: adminOnly },
  { method: 'get', path: '/kommune/rapport/enhet/:unitA', expect: adminOnly },
  { method: 'get', path: '/kommune/rapport/eksport.csv', expect: adminOnly },
  { method: 'get', path: '/kommune/rapport/eksport.xlsx', expect: adminOnly },
  { method: 'get', path: '/kommune/rapport/utskrift', expect: adminOnly },
  // Its settings (reports:configure): no targets, and the renewal rules as they are (nothing recomputed).
  { method: 'get', path: '/kommune/rapport/innstillinger', expect: adminOnly },
  { method: 'post', path: '/kommune/rapport/innstillinger', body: { kjerne: 'auto' }, expect: adminOnly },
  { method: 'get', path: '/kommune/rapport/fornying', expect: adminOnly },
  { method: 'post', path: '/kommune/rapport/fornying', expect: adminOnly },
  // Learning networks: the municipality administers them (networks:manage). Incomplete bodies get a
  // 400; closing uses the spare network, so the fixture network stays open.
  { method: 'get', path: '/admin/nettverk', expect: adminOnly },
  { method: 'post', path: '/admin/nettverk', body: { name: '' }, expect: adminOnly },
  { method: 'get', path: '/admin/nettverk/:network', expect: adminOnly },
  { method: 'post', path: '/admin/nettverk/:network', body: { name: '' }, expect: adminOnly },
  { method: 'post', path: '/admin/nettverk/:spareNetwork/steng', expect: adminOnly },
  { method: 'post', path: '/admin/nettverk/:network/sla-sammen', body: { into: '' }, expect: adminOnly },
  // External partners: invited and removed by the municipality (an empty address is a 400; removing nobody changes nothing).
  { method: 'post', path: '/admin/nettverk/:network/partnere', body: { email: '' }, expect: adminOnly },
  { method: 'post', path: '/admin/nettverk/:network/partnere/fjern', body: { personId: '' }, expect: adminOnly },
  // Everyone's own list of networks; a network and its gatherings: its coordinator (leader B), its
  // participants (the staff member), leaders of its units (leader A) and municipal admins (network:view).
  { method: 'get', path: '/nettverk', expect: signedIn('ok') },
  { method: 'get', path: '/nettverk/:network', expect: { ...signedIn('ok'), author: 'deny' } },
  { method: 'get', path: '/nettverk/:network/samlinger/:gathering', expect: { ...signedIn('ok'), author: 'deny' } },
  // Planning, attendance and the shared summary: the coordinator only (network:coordinate). Nobody ticked: recorded as nobody present.
  { method: 'post', path: '/nettverk/:network/samlinger', body: { title: '' }, expect: { ...signedIn('deny'), leaderB: 'ok' } },
  { method: 'post', path: '/nettverk/:network/samlinger/:gathering/oppmote', expect: { ...signedIn('deny'), leaderB: 'ok' } },
  { method: 'post', path: '/nettverk/:network/samlinger/:gathering/oppsummering', body: { summary: '' }, expect: { ...signedIn('deny'), leaderB: 'ok' } },
  // A participant's own report after a gathering (network:participate): the staff member, who takes part; nobody else.
  { method: 'post', path: '/nettverk/:network/samlinger/:gathering/rapport', body: { report: '' }, expect: { ...signedIn('deny'), staff: 'ok' } },
  // Appointing participants: the unit's own leader (unit:lead); the staff member stays appointed.
  { method: 'get', path: '/leder/:unitA/nettverk', expect: leaderAOnly },
  { method: 'post', path: '/leder/:unitA/nettverk/:network/deltakere', body: { participants: ':staff' }, expect: leaderAOnly },
  // The audit log of report views and exports (audit:read).
  { method: 'get', path: '/kommune/rapport/logg', expect: adminOnly },
  { method: 'get', path: '/kommune/rapport/logg?side=2', expect: adminOnly },
];
