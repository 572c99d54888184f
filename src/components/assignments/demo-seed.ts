import { findUnitIdsByName } from '../organisation/index.js';
import { listCatalogue } from '../modules/index.js';
import { todayDateOnly } from '../../lib/dates.js';
import { AssignmentModel } from './models.js';
import { createAssignment } from './assignments.service.js';

/** Two modules for the staff of Solsikken barnehage, so the demo staff sees assigned work with deadlines. */
export const DEMO_ASSIGNMENTS: ReadonlyArray<{ id: string; unit: string; moduleSlug: string; daysToDeadline: number }> = [
  { id: 'demo-solsikken-inkluderende-fellesskap', unit: 'Solsikken barnehage', moduleSlug: 'inkluderende-fellesskap', daysToDeadline: 30 },
  { id: 'demo-solsikken-medvirkning', unit: 'Solsikken barnehage', moduleSlug: 'medvirkning', daysToDeadline: 60 },
];

/** Idempotent: creates the demo assignments that are missing (and whose module is published). */
export async function seedDemoAssignments(now = new Date()): Promise<number> {
  const units = await findUnitIdsByName(DEMO_ASSIGNMENTS.map((a) => a.unit));
  const published = new Set((await listCatalogue()).map((m) => m.slug));
  let created = 0;
  for (const demo of DEMO_ASSIGNMENTS) {
    const unitId = units.get(demo.unit);
    if (!unitId || !published.has(demo.moduleSlug)) continue;
    if (await AssignmentModel.exists({ _id: { $eq: demo.id } })) continue;
    const deadline = new Date(todayDateOnly(now).getTime() + demo.daysToDeadline * 86_400_000);
    await createAssignment({ moduleSlug: demo.moduleSlug, target: { kind: 'unit', unitId }, deadline, createdBy: { id: null, name: 'Demodata' } }, { id: demo.id, now });
    created += 1;
  }
  return created;
}
