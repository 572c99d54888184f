import mongoose, { Schema, Types, type InferSchemaType } from 'mongoose';

/**
 * The development outbox: without SMTP_URL, mails are kept here instead of being sent, so a
 * developer can follow an activation or reset link (system admins see them at /utvikling/e-post).
 */
const outboxSchema = new Schema(
  {
    to: { type: String, required: true },
    from: { type: String, required: true },
    template: { type: String, required: true },
    lang: { type: String, required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    html: { type: String, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'mail_outbox' },
);
outboxSchema.index({ createdAt: -1 });

export type OutboxMessage = InferSchemaType<typeof outboxSchema> & { _id: Types.ObjectId; createdAt: Date };

export const OutboxModel = mongoose.model('MailOutbox', outboxSchema);

/** Outbox mails are kept a week; older ones are swept when new mail arrives. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export async function listOutbox(limit = 50): Promise<Array<Pick<OutboxMessage, '_id' | 'to' | 'subject' | 'template' | 'createdAt'>>> {
  return OutboxModel.find({}, { to: 1, subject: 1, template: 1, createdAt: 1 }).sort({ createdAt: -1 }).limit(limit).lean<OutboxMessage[]>();
}

export async function findOutboxMessage(id: string): Promise<OutboxMessage | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  return OutboxModel.findById(id).lean<OutboxMessage>();
}

export async function sweepOutbox(now = new Date()): Promise<number> {
  const { deletedCount } = await OutboxModel.deleteMany({ createdAt: { $lt: new Date(now.getTime() - OUTBOX_RETENTION_MS) } });
  return deletedCount;
}

/** Anonymisation: the outbox keeps no mail to the person (their address and name are in it). */
export async function forgetMailsTo(address: string): Promise<void> {
  await OutboxModel.deleteMany({ to: { $eq: address } });
}
