import type { InferSchemaType, mongo, Schema } from 'mongoose';

/**
 * The driver's collection behind a model, typed with the model's own documents. Hot paths use the
 * driver directly (one atomic operator, no mongoose document), and mongoose types `Model.collection`
 * for documents with ObjectId ids, so a lookup by our deterministic string `_id` needed a cast at
 * every call. The one cast is here, checked against the schema: `_id` must be declared a string.
 */
export function rawCollection<S extends Schema>(model: { collection: object }, _schema: S): mongo.Collection<InferSchemaType<S> & { _id: string }> {
  return model.collection as unknown as mongo.Collection<InferSchemaType<S> & { _id: string }>;
}
