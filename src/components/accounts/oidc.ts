import * as client from 'openid-client';
import { Strategy, type AuthenticateOptions } from 'openid-client/passport';
import type { Request } from 'express';
import type { OidcConfig } from '../../config/index.js';
import { identityFromClaims, resolveOidcLogin, type OidcLoginResult } from './oidc.service.js';

export const SSO_CALLBACK_PATH = '/logg-inn/sso/callback';

/**
 * openid-client's passport strategy always uses PKCE; it adds `state` only for providers without
 * PKCE and `nonce` only for implicit flows. We send both on every request as well: `state` binds
 * the callback to this browser's session, `nonce` binds the ID token to this request.
 */
class StateAndNonceStrategy extends Strategy {
  override authorizationRequestParams<TOptions extends AuthenticateOptions>(req: Request, options: TOptions): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options));
    params.set('state', client.randomState());
    params.set('nonce', client.randomNonce());
    return params;
  }
}

/** What the strategy hands the callback route when the login cannot go ahead. */
export interface SsoFailure {
  reason: Exclude<OidcLoginResult['kind'], 'ok'> | 'missing-claim';
}

export interface SsoClient {
  config: OidcConfig;
  /** The strategy, discovered on first use; a failed discovery is retried on the next login. */
  strategy(): Promise<Strategy>;
}

/** Sets up SSO against the configured provider; the provider is contacted only when someone logs in. */
export function createSsoClient(config: OidcConfig, baseUrl: string): SsoClient {
  let pending: Promise<Strategy> | undefined;

  async function build(): Promise<Strategy> {
    const execute = config.allowInsecureRequests ? [client.allowInsecureRequests] : [];
    const configuration = await client.discovery(
      new URL(config.issuer),
      config.clientId,
      config.clientSecret,
      config.clientSecret ? undefined : client.None(),
      { execute },
    );
    return new StateAndNonceStrategy(
      {
        config: configuration,
        name: 'oidc',
        sessionKey: 'oidc',
        scope: config.scopes,
        callbackURL: `${baseUrl}${SSO_CALLBACK_PATH}`,
        passReqToCallback: true,
      },
      async (_req, tokens, verified) => {
        const idClaims = (tokens.claims() ?? {}) as Record<string, unknown>;
        let claims = idClaims;
        // Many providers (Feide among them) put e-mail and name only in userinfo.
        if (tokens.access_token && configuration.serverMetadata().userinfo_endpoint && typeof idClaims.sub === 'string') {
          const userinfo = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
          claims = { ...userinfo, ...idClaims };
        }
        const identity = identityFromClaims(claims, config.idClaim);
        if (!identity) return verified(null, false, { reason: 'missing-claim' } satisfies SsoFailure);
        const result = await resolveOidcLogin(identity, { autoCreate: config.autoCreate });
        if (result.kind === 'ok') return verified(null, result.user);
        return verified(null, false, { reason: result.kind } satisfies SsoFailure);
      },
    );
  }

  return {
    config,
    strategy() {
      pending ??= build().catch((err: unknown) => {
        pending = undefined;
        throw err;
      });
      return pending;
    },
  };
}
