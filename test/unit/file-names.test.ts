import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { paths } from '../../src/config/index.js';

/**
 * One naming scheme for what a component holds (docs/architecture.md): services are
 * `<name>.service.ts` — the component's main one named after the component — so a reader finds the
 * logic of `people` in `people/people.service.ts`, never in a `service.ts` among several, or a
 * `password-service.ts` beside a `leader.service.ts`.
 */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe('file names', () => {
  const components = path.join(paths.root, 'src', 'components');
  const files = filesUnder(components).map((f) => path.relative(components, f));

  it('a service file is <name>.service.ts, in kebab-case', () => {
    const services = files.filter((f) => /service/i.test(path.basename(f)));
    expect(services.length).to.be.greaterThan(10);
    expect(services.filter((f) => !/^[a-z0-9-]+\.service\.ts$/.test(path.basename(f)))).to.deep.equal([]);
  });

  it('a component with services has one named after it', () => {
    const withServices = [...new Set(files.filter((f) => f.endsWith('.service.ts')).map((f) => f.split(path.sep)[0]!))];
    // Modules has two of equal standing, authoring and publishing, and no main one.
    const named = (component: string) => files.includes(path.join(component, `${component}.service.ts`));
    expect(withServices.filter((c) => !named(c) && c !== 'modules')).to.deep.equal([]);
  });
});
