import { ANONYMISED_NAME, findPerson } from '../accounts/index.js';
import { scrubCollection } from '../people/index.js';
import { ModuleModel, ModuleVersionModel } from './models.js';

/**
 * Anonymiser for module authoring (registered with the people component): drafts and published
 * versions keep who changed or published them as an id, but not their name.
 */
export async function anonymiseModuleAuthors(personId: string): Promise<void> {
  const person = await findPerson(personId);
  if (!person || person.status === 'anonymised') return;
  await scrubCollection(ModuleModel.collection, person, ANONYMISED_NAME, { 'draftUpdatedBy.id': { $eq: personId } });
  await scrubCollection(ModuleVersionModel.collection, person, ANONYMISED_NAME, { 'publishedBy.id': { $eq: personId } });
}
