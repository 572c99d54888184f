import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Schema, Types } from 'mongoose';
import { atMostEvery } from '../../lib/periodic.js';

/**
 * Single-use, expiring tokens for password reset and first-time activation, sent by mail.
 * Only a SHA-256 hash of the token is stored, as the document's `_id`, so a stolen database
 * copy holds no usable links and the lookup is an `_id` equality (fast on FerretDB too).
 */
export const TOKEN_PURPOSES = ['reset', 'activation'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

export const TOKEN_LIFETIME_MS: Record<TokenPurpose, number> = {
  reset: 60 * 60 * 1000,
  activation: 7 * 24 * 60 * 60 * 1000,
};

const tokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    purpose: { type: String, enum: TOKEN_PURPOSES, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'account_tokens' },
);
tokenSchema.index({ userId: 1 });
tokenSchema.index({ expiresAt: 1 });

export const AccountTokenModel = mongoose.model('AccountToken', tokenSchema);

/** 32 random bytes as base64url: 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}

export async function sweepExpiredTokens(now = new Date()): Promise<number> {
  const { deletedCount } = await AccountTokenModel.deleteMany({ expiresAt: { $lte: now } });
  return deletedCount;
}

const sweepIfDue = atMostEvery(10 * 60 * 1000, sweepExpiredTokens);

/** Creates a token and returns it in the clear: it exists only in the mail from here on. */
export async function issueToken(userId: Types.ObjectId | string, purpose: TokenPurpose, now = new Date()): Promise<string> {
  await sweepIfDue(now);
  const raw = randomBytes(32).toString('base64url');
  await AccountTokenModel.create({
    _id: hashToken(raw),
    purpose,
    userId: new Types.ObjectId(String(userId)),
    expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS[purpose]),
  });
  return raw;
}

export type TokenState =
  | { status: 'valid'; purpose: TokenPurpose; userId: string }
  | { status: 'invalid' | 'expired' | 'used' };

/** What a link's token is worth now, without using it (for showing the form). */
export async function inspectToken(raw: string, now = new Date()): Promise<TokenState> {
  if (!TOKEN_SHAPE.test(raw)) return { status: 'invalid' };
  const doc = await AccountTokenModel.findById(hashToken(raw)).lean();
  if (!doc) return { status: 'invalid' };
  if (doc.usedAt) return { status: 'used' };
  if (doc.expiresAt <= now) return { status: 'expired' };
  return { status: 'valid', purpose: doc.purpose, userId: String(doc.userId) };
}

/**
 * Uses a token: exactly one caller gets `valid`, every later one `used`. The conditional update is
 * a single-document write, atomic on MongoDB and on the embedded FerretDB (whose launcher serialises
 * writes per collection: tools/ferretdb/writelock.go).
 */
export async function claimToken(raw: string, now = new Date()): Promise<TokenState> {
  const state = await inspectToken(raw, now);
  if (state.status !== 'valid') return state;
  const { modifiedCount } = await AccountTokenModel.updateOne(
    { _id: { $eq: hashToken(raw) }, usedAt: null, expiresAt: { $gt: now } },
    { $set: { usedAt: now } },
  );
  return modifiedCount === 1 ? state : { status: 'used' };
}

/** After a new password: the person's other outstanding links stop working. */
export async function revokeTokensOf(userId: string, now = new Date()): Promise<void> {
  await AccountTokenModel.updateMany({ userId: new Types.ObjectId(userId), usedAt: null }, { $set: { usedAt: now } });
}
