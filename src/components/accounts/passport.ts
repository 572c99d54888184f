import type { Request } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { authenticateWithPassword, findSessionUser } from './accounts.service.js';
import type { SessionUser } from '../../web/session-user.js';

/** Registers the strategies and how a person is kept in the session (by id only). */
export function configurePassport(): typeof passport {
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      authenticateWithPassword(email, password).then((user) => done(null, user ?? false), done);
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as SessionUser).id));
  passport.deserializeUser((req: Request, id: string, done: (err: unknown, user?: SessionUser | false) => void) => {
    findSessionUser(id, req.session?.authenticatedAt).then((user) => done(null, user ?? false), done);
  });
  return passport;
}
