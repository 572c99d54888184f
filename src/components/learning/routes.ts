import { endpointRouter } from '../../web/endpoints.js';
import { addNavEntry } from '../../web/navigation.js';
import { registerAnonymiser, registerPersonalDataSource } from '../people/index.js';
import { anonymiseLearning, learningDataOf } from './privacy.js';
import { certificateEndpoints } from './endpoints/certificates.js';
import { courseEndpoints } from './endpoints/courses.js';
import { followUpEndpoints } from './endpoints/follow-up.js';
import { lessonEndpoints } from './endpoints/lessons.js';
import { logEndpoints } from './endpoints/log.js';
import { statisticsEndpoints } from './endpoints/statistics.js';
import type { LearningPagesDeps } from './endpoints/shared.js';

export { learnerStartPage } from './endpoints/courses.js';
export type { LearningPagesDeps } from './endpoints/shared.js';

/** Every learning endpoint, in the order they are matched (the glossary before a lesson of the same module). */
function learningEndpoints(deps: LearningPagesDeps) {
  return [...courseEndpoints(deps), ...followUpEndpoints(deps), ...lessonEndpoints(deps), ...certificateEndpoints(deps), ...logEndpoints(deps), ...statisticsEndpoints()];
}

/** Learning for staff: "Mine kurs", module and lesson pages, actions, certificates and the learning log. */
export function learningRoutes(deps: LearningPagesDeps) {
  addNavEntry({ href: '/mine-kurs', label: 'learning:nav.myCourses', visibleTo: 'learning:take' });
  addNavEntry({ href: '/mine-kurs/laeringslogg', label: 'learning:nav.log', visibleTo: 'learning:take' });
  registerPersonalDataSource('learning', learningDataOf);
  registerAnonymiser('learning', anonymiseLearning);
  return endpointRouter(learningEndpoints(deps));
}
