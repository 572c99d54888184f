import { ANONYMISED_NAME, findPerson } from '../accounts/index.js';
import { scrubCollection } from '../people/index.js';
import { AssignmentModel, AssignmentTargetModel } from './models.js';

/**
 * Anonymiser for assignments (registered with the people component): an assignment keeps who made
 * it as an id, but not their name, in the assignment and in the lists kept for people and units.
 */
export async function anonymiseAssignments(personId: string): Promise<void> {
  const person = await findPerson(personId);
  if (!person || person.status === 'anonymised') return;
  await scrubCollection(AssignmentModel.collection, person, ANONYMISED_NAME, { 'createdBy.id': { $eq: personId } });
  await scrubCollection(AssignmentTargetModel.collection, person, ANONYMISED_NAME);
}
