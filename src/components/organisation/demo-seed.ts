import { DistrictModel, UnitModel, type UnitType } from './models.js';

/** A small municipality for development and demos: three districts, barnehager, skoler and an SFO. */
export const DEMO_ORGANISATION: ReadonlyArray<{ district: string; units: ReadonlyArray<{ name: string; type: UnitType; orgNumber?: string }> }> = [
  {
    district: 'Nordbyen',
    units: [
      { name: 'Solsikken barnehage', type: 'barnehage', orgNumber: '974760673' },
      { name: 'Nordbyen skole', type: 'skole' },
      { name: 'Nordbyen SFO', type: 'sfo' },
    ],
  },
  {
    district: 'Sentrum',
    units: [
      { name: 'Tusenfryd barnehage', type: 'barnehage' },
      { name: 'Sentrum skole', type: 'skole' },
      { name: 'PPT Sentrum', type: 'ppt' },
    ],
  },
  {
    district: 'Sørlia',
    units: [
      { name: 'Blåbærtua barnehage', type: 'barnehage' },
      { name: 'Sørlia ungdomsskole', type: 'skole' },
    ],
  },
];

/** Idempotent: creates only what is missing, matched by name. Returns how many units were created. */
export async function seedDemoOrganisation(): Promise<number> {
  let created = 0;
  for (const { district, units } of DEMO_ORGANISATION) {
    const d = await DistrictModel.findOneAndUpdate(
      { name: { $eq: district } },
      { $setOnInsert: { name: district } },
      { upsert: true, new: true },
    ).lean();
    for (const unit of units) {
      const result = await UnitModel.updateOne(
        { name: { $eq: unit.name } },
        { $setOnInsert: { ...unit, districtId: d._id } },
        { upsert: true },
      );
      created += result.upsertedCount;
    }
  }
  return created;
}
