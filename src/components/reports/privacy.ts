import { ANONYMISED_NAME, findPerson } from '../accounts/index.js';
import { ReportAuditModel } from './models.js';

/**
 * Anonymiser for the report audit log (registered with the people component): the log keeps that a
 * view or export happened, by whom (id) and of what, but not the person's name, neither as the one
 * who looked nor as the one looked at.
 */
export async function anonymiseReportAudit(personId: string): Promise<void> {
  const person = await findPerson(personId);
  await ReportAuditModel.collection.updateMany({ actorId: { $eq: personId } }, { $set: { actorName: ANONYMISED_NAME } });
  const viewed = await ReportAuditModel.collection.find({ scope: { $eq: 'person' }, scopeId: { $eq: personId } }, { projection: { scopeLabel: 1 } }).toArray();
  for (const entry of viewed) {
    const label = String(entry.scopeLabel ?? '');
    // "<unit>: <name>": the unit stays, the name goes.
    const unit = person && label.endsWith(person.name) ? label.slice(0, -person.name.length) : '';
    await ReportAuditModel.collection.updateOne({ _id: entry._id }, { $set: { scopeLabel: `${unit}${ANONYMISED_NAME}` } });
  }
}
