import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const UNIT_TYPES = ['barnehage', 'skole', 'sfo', 'ppt', 'barnevern', 'helsetjeneste', 'voksenopplaering', 'annet'] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

const districtSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 120 },
    closedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
districtSchema.index({ name: 1 }, { unique: true });

const unitSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 160 },
    type: { type: String, required: true, enum: UNIT_TYPES },
    districtId: { type: Schema.Types.ObjectId, ref: 'District', required: true },
    /** 9-digit organisation number (Enhetsregisteret), mod-11 checked by the service. */
    orgNumber: { type: String, default: null },
    /** National register id: NSR for schools, NBR for kindergartens. */
    nationalId: { type: String, default: null },
    /** Closed units are kept for history and hidden from choices. */
    closedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
unitSchema.index({ districtId: 1 });
unitSchema.index({ orgNumber: 1 });

export type District = InferSchemaType<typeof districtSchema> & { _id: Types.ObjectId };
export type Unit = InferSchemaType<typeof unitSchema> & { _id: Types.ObjectId };

export const DistrictModel = mongoose.model('District', districtSchema);
export const UnitModel = mongoose.model('Unit', unitSchema);
