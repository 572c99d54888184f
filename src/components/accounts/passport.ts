import type { Request } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { authenticateWithPassword, findSessionUser } from './accounts.service.js';
import type { PersonCache } from './person-cache.js';
import type { SessionUser } from '../../web/session-user.js';

/**
 * One app's passport: its strategies and how a person is kept in the session (by id only), read
 * back through that app's cache of people. An instance of its own rather than passport's
 * process-wide one, whose deserialisers would pile up with every app built in the process.
 */
export function createAuthenticator(people: PersonCache): passport.Authenticator {
  const authenticator = new passport.Passport();
  authenticator.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      authenticateWithPassword(email, password).then((user) => done(null, user ?? false), done);
    }),
  );
  authenticator.serializeUser((user, done) => done(null, (user as SessionUser).id));
  authenticator.deserializeUser((req: Request, id: string, done: (err: unknown, user?: SessionUser | false) => void) => {
    findSessionUser(people, id, req.session?.authenticatedAt).then((user) => done(null, user ?? false), done);
  });
  return authenticator;
}
