import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z, type ZodError, type ZodType } from 'zod';
import { ConflictError, ForbiddenError, UnauthenticatedError, ValidationError, type FieldErrors } from '../lib/errors.js';
import { fieldErrorsOf } from '../lib/validation.js';
import { can, requireLogin, requirePermission, currentUser, type Action, type PolicyResource } from './policy.js';
import { setFlash, takeFlash } from './flash.js';
import { wantsJson } from './error-handler.js';
import type { SessionUser } from './session-user.js';
import type { Logger } from '../lib/logger.js';

/**
 * The endpoint layer: each endpoint declares what it is — method, path, who may call it (through the
 * one policy), zod schemas for its params, query and body, the one thing it does, and what it answers
 * — and `endpointRouter` runs every endpoint the same way. So validation, the 400 that shows a form
 * again with the person's input, flash messages after a redirect and the manifest the tests read are
 * written once, here, instead of in each route (as Ghost's API framework does).
 */

/**
 * Who may call an endpoint: anyone, anyone signed in, a policy action on the resource in the path,
 * or any one of several policy actions (an area shared by people with different permissions).
 */
export type Access =
  | { kind: 'public' }
  | { kind: 'login' }
  | { kind: 'permission'; action: Action; resource?: (params: Record<string, string>) => PolicyResource }
  | { kind: 'any-permission'; actions: readonly Action[] }
  | { kind: 'token'; header: string };

export const PUBLIC: Access = { kind: 'public' };
export const SIGNED_IN: Access = { kind: 'login' };
export const permission = (action: Action, resource?: (params: Record<string, string>) => PolicyResource): Access => ({ kind: 'permission', action, resource });
/**
 * Machine access by a secret in a header (the metrics scraper's bearer token): checked by the
 * endpoint's own handler, because no session or policy role is involved.
 */
export const bearerToken = (header = 'authorization'): Access => ({ kind: 'token', header });
/** Signed in and allowed at least one of the actions (no resource: these are area-wide permissions). */
export const anyPermission = (...actions: [Action, ...Action[]]): Access => ({ kind: 'any-permission', actions });

/** A page: an EJS view under views/ and its view-model (the flash message is added here). */
export interface PageReply {
  view: string;
  status?: number;
  model: Record<string, unknown>;
}

/** After a change: where to go next (303), and the message to show there. */
export interface RedirectReply {
  redirect: string;
  /**
   * 303 unless said: a page that only sends someone on (the login form, to a person already signed
   * in) answers 302, and an address with one right form (a certificate code) 301.
   */
  status?: 301 | 302 | 303;
  flash?: { type: 'success' | 'error' | 'info'; key: string; params?: Record<string, string | number> };
}

/** Data for a script (the editor's live preview), never cached. */
export interface JsonReply {
  json: unknown;
  /** 200 unless said (a probe answers 503 when the app cannot serve). */
  status?: number;
}

/** A file to download (an export), never cached. */
export interface FileReply {
  file: Buffer;
  type: string;
  filename: string;
  /** 'attachment' (a download, the default) or 'inline' (shown in the browser, such as a mail preview). */
  disposition?: 'attachment' | 'inline';
}

export type Reply = PageReply | RedirectReply | JsonReply | FileReply;

/** A file sent with the form (multipart), read into memory by the endpoint's `upload`. */
export interface UploadedFile {
  buffer: Buffer;
  originalname: string;
}

export type Translate = Request['t'];

/** What a handler gets: the validated input and the signed-in person; never `res`. */
export interface EndpointContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  user: SessionUser | null;
  /** The request's translator, for titles in view-models. */
  t: Translate;
  /** The page language (for dates and numbers in view-models). */
  lang: string;
  /** The client's address (behind the trusted proxies), for limits per address such as the password links'. */
  ip: string;
  /**
   * Whether the client asked for JSON (a script such as autosave): one endpoint then answers its
   * data as JSON and a form as a redirect, and its validation errors go to the error handler as JSON.
   */
  wantsJson: boolean;
  /** The request's logger (every line carries the request id), for what happens after the answer. */
  log: Logger;
  /** The uploaded file, for an endpoint with `upload`. */
  file?: UploadedFile;
  /** Renders a view to HTML (for a JSON reply that carries a rendered fragment). */
  render(view: string, model: Record<string, unknown>): Promise<string>;
}

/** The signed-in person, for endpoints whose access requires one (their guard has already run). */
export function signedInUser(context: { user: SessionUser | null }): SessionUser {
  if (!context.user) throw new UnauthenticatedError('login required');
  return context.user;
}

export interface Endpoint<P = Record<string, string>, Q = unknown, B = unknown> {
  method: 'get' | 'post';
  path: string;
  /** One line for the manifest and the next developer: what the endpoint is for. */
  summary: string;
  access: Access;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  /**
   * How the body is read. For a form, one that never fails (text fields through `formText`), so
   * what the person typed can always be shown again; a body that fails it is answered 400.
   */
  body?: ZodType<B>;
  /** The form's rules, with locale keys as messages: a failure shows the form again (`invalid`). */
  check?: ZodType<unknown>;
  /** Reads a multipart body with a file (a multer middleware wrapped by `clientUpload`), after the access check. */
  upload?: RequestHandler;
  handle(context: EndpointContext<P, Q, B>): Promise<Reply>;
  /**
   * The page again after a validation error (from `check` or the service), with the person's input
   * kept and a message by each field; answered with 400. Without it a validation error goes to the
   * error handler.
   */
  invalid?(context: EndpointContext<P, Q, B>, errors: FieldErrors): Promise<PageReply>;
  /**
   * The page again when someone else changed the thing first (a ConflictError), with the person's
   * input kept; answered with 409. Without it the conflict goes to the error handler.
   */
  conflict?(context: EndpointContext<P, Q, B>, error: ConflictError): Promise<PageReply>;
}

/** What the manifest says of an endpoint (the tests generated from routes read this). */
export interface EndpointInfo {
  method: 'get' | 'post';
  path: string;
  summary: string;
  access: Access;
  /** Whether a failed body re-renders a form (400 with the input kept). */
  rendersForm: boolean;
  /** Whether the body is multipart with a file. */
  upload: boolean;
  /** The fields the body reads, when it is an object schema (a form's field names); otherwise empty. */
  fields: readonly string[];
  /** For an endpoint that speaks HTTP itself (`rawEndpoint`): why. */
  raw?: string;
}

function guardOf(access: Access): RequestHandler[] {
  if (access.kind === 'public' || access.kind === 'token') return [];
  if (access.kind === 'login') return [requireLogin];
  if (access.kind === 'any-permission') {
    const { actions } = access;
    const anyOf: RequestHandler = (req, _res, next) => {
      const user = currentUser(req);
      if (actions.some((action) => can(user, action))) return next();
      next(new ForbiddenError(`user ${user?.id} may not ${actions.join(' or ')} ${req.originalUrl}`));
    };
    return [requireLogin, anyOf];
  }
  const resourceOf = access.resource;
  return requirePermission(access.action, resourceOf ? (req) => resourceOf(req.params as Record<string, string>) : undefined);
}

async function send(req: Request, res: Response, reply: Reply): Promise<void> {
  if ('json' in reply) {
    res.status(reply.status ?? 200).set('Cache-Control', 'no-store').json(reply.json);
    return;
  }
  if ('file' in reply) {
    res.set({ 'Content-Type': reply.type, 'Content-Disposition': `${reply.disposition ?? 'attachment'}; filename="${reply.filename}"`, 'Cache-Control': 'no-store' }).end(reply.file);
    return;
  }
  if ('redirect' in reply) {
    if (reply.flash) await setFlash(req, reply.flash.type, reply.flash.key, reply.flash.params);
    res.redirect(reply.status ?? 303, reply.redirect);
    return;
  }
  res.status(reply.status ?? 200).render(reply.view, { flash: takeFlash(req), ...reply.model });
}

/** Parses one part of the request; a malformed path or query is the client's mistake (400 or 404). */
function parsePart<T>(schema: ZodType<T> | undefined, value: unknown): { ok: true; value: T } | { ok: false; error: ZodError } {
  if (!schema) return { ok: true, value: value as T };
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: parsed.error };
}

function run<P, Q, B>(definition: Endpoint<P, Q, B>): RequestHandler {
  return async (req, res) => {
    const params = parsePart(definition.params, req.params);
    if (!params.ok) throw new ValidationError(`bad path ${req.originalUrl}`, fieldErrorsOf(params.error));
    const query = parsePart(definition.query, req.query);
    if (!query.ok) throw new ValidationError(`bad query ${req.originalUrl}`, fieldErrorsOf(query.error));
    const body = parsePart(definition.body, req.body ?? {});
    if (!body.ok) throw new ValidationError(`bad body for ${definition.path}`, fieldErrorsOf(body.error));
    const context: EndpointContext<P, Q, B> = {
      params: params.value,
      query: query.value,
      body: body.value,
      user: currentUser(req),
      t: req.t,
      lang: String(res.locals.lang ?? 'nb'),
      ip: req.ip ?? 'unknown',
      wantsJson: wantsJson(req),
      log: req.log,
      file: req.file ? { buffer: req.file.buffer, originalname: req.file.originalname } : undefined,
      render: (view, model) => new Promise((resolve, reject) => res.render(view, model, (err, html) => (err ? reject(err) : resolve(html)))),
    };
    try {
      const checked = definition.check?.safeParse(body.value);
      if (checked && !checked.success) throw new ValidationError(`invalid form for ${definition.path}`, fieldErrorsOf(checked.error));
      await send(req, res, await definition.handle(context));
    } catch (err) {
      // The form again with what the person typed (the body as read), so nothing they wrote is lost;
      // a script asking for JSON cannot use a page, so it gets the error handler's JSON instead.
      if (context.wantsJson) throw err;
      if (err instanceof ValidationError && definition.invalid) return send(req, res, { ...(await definition.invalid(context, err.fields)), status: 400 });
      if (err instanceof ConflictError && definition.conflict) return send(req, res, { ...(await definition.conflict(context, err)), status: 409 });
      throw err;
    }
  };
}

/** The app setting that holds the manifest of every declared endpoint (`app.get(ENDPOINT_MANIFEST)`). */
export const ENDPOINT_MANIFEST = 'endpoint manifest';

/** An endpoint ready to mount: its manifest entry and its handlers (the types of its input are inside). */
export interface DeclaredEndpoint {
  info: EndpointInfo;
  handlers: RequestHandler[];
}

/** Declares an endpoint; the generic parameters come from its schemas. */
export function endpoint<P = Record<string, string>, Q = unknown, B = unknown>(definition: Endpoint<P, Q, B>): DeclaredEndpoint {
  return {
    info: {
      method: definition.method,
      path: definition.path,
      summary: definition.summary,
      access: definition.access,
      rendersForm: typeof definition.invalid === 'function',
      upload: !!definition.upload,
      fields: definition.body instanceof z.ZodObject ? Object.keys(definition.body.shape) : [],
    },
    handlers: [...guardOf(definition.access), ...(definition.upload ? [definition.upload] : []), run(definition)],
  };
}

/**
 * An endpoint that speaks HTTP itself, declared so that the manifest still lists every route: the
 * few whose answer is not a page, a redirect, JSON or a download — passport's login and single
 * sign-on hand-offs, range requests for video, the probes' plain answers, the metrics scrape. The
 * access guard still comes from `access`; `why` says what the layer could not do for it.
 */
export function rawEndpoint(definition: {
  method: 'get' | 'post';
  path: string;
  summary: string;
  access: Access;
  why: string;
  handlers: RequestHandler[];
}): DeclaredEndpoint {
  if (definition.why.trim().length < 10) throw new Error(`${definition.path}: a raw endpoint says why it is raw`);
  return {
    info: { method: definition.method, path: definition.path, summary: definition.summary, access: definition.access, rendersForm: false, upload: false, fields: [], raw: definition.why },
    handlers: [...guardOf(definition.access), ...definition.handlers],
  };
}

/** A router with every endpoint mounted the same way, in the order given, and its manifest. */
export function endpointRouter(endpoints: readonly DeclaredEndpoint[]): Router & { manifest: readonly EndpointInfo[] } {
  const router = Router() as Router & { manifest: readonly EndpointInfo[] };
  for (const { info, handlers } of endpoints) router[info.method](info.path, ...handlers);
  router.manifest = endpoints.map((e) => e.info);
  return router;
}

/** A form's text field: what was sent, cut to `max` characters, or '' (never fails, so it can be shown again). */
export const formText = (max: number) => z.unknown().optional().transform((v) => (typeof v === 'string' ? v.slice(0, max) : ''));

/**
 * A form's repeated field (checkboxes, a multiple select): the strings sent — one value or several —
 * at most `maxItems`, each cut to `maxLength`; anything else is ignored, so it never fails.
 */
export const formList = (maxItems: number, maxLength = 200) =>
  z
    .unknown()
    .optional()
    .transform((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string').slice(0, maxItems).map((x) => x.slice(0, maxLength)));

/** An id in the path: opaque text of a sane length (the service says whether it exists). */
export const pathId = z.string().min(1).max(64);
