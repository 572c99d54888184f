import type passport from 'passport';
import type { Mailer } from '../mail/index.js';
import type { AppConfig } from '../../config/index.js';
import { endpointRouter } from '../../web/endpoints.js';
import { createSsoClient } from './oidc.js';
import { loginEndpoints } from './endpoints/login.js';
import { passwordEndpoints } from './endpoints/passwords.js';
import { ssoEndpoints } from './endpoints/sso.js';

/**
 * Logging in and out, forgotten passwords and activation, and single sign-on when it is configured,
 * through the app's own passport (`createAuthenticator`).
 */
export function accountRoutes(config: AppConfig, mailer: Mailer, authenticator: passport.Authenticator) {
  const sso = config.oidc ? createSsoClient(config.oidc, config.baseUrl) : undefined;
  // The SSO routes exist only when SSO is configured.
  return endpointRouter([...loginEndpoints(config, authenticator, sso), ...passwordEndpoints(mailer), ...(sso ? ssoEndpoints(sso, authenticator) : [])]);
}
