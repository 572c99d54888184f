export { peopleRoutes } from './routes.js';
export { registerPersonalDataSource, registerAnonymiser, scrubPerson, scrubCollection, type PersonalDataSource, type Anonymiser } from './privacy.js';
export { anonymisePerson, exportOwnData } from './people.service.js';
