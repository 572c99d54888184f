import { DistrictModel, UnitModel, type UnitType } from './models.js';

/**
 * The demo municipality: three districts with barnehager, skoler, SFO and a PPT office (25 units).
 * The first eight are the ones the demo logins belong to; their names must not change.
 */
export const DEMO_ORGANISATION: ReadonlyArray<{ district: string; units: ReadonlyArray<{ name: string; type: UnitType; orgNumber?: string }> }> = [
  {
    district: 'Nordbyen',
    units: [
      { name: 'Solsikken barnehage', type: 'barnehage', orgNumber: '974760673' },
      { name: 'Nordbyen skole', type: 'skole' },
      { name: 'Nordbyen SFO', type: 'sfo' },
      { name: 'Kråkeslottet barnehage', type: 'barnehage' },
      { name: 'Lindealleen barnehage', type: 'barnehage' },
      { name: 'Bjørketun skole', type: 'skole' },
      { name: 'Bjørketun SFO', type: 'sfo' },
      { name: 'Nordbyen ungdomsskole', type: 'skole' },
    ],
  },
  {
    district: 'Sentrum',
    units: [
      { name: 'Tusenfryd barnehage', type: 'barnehage' },
      { name: 'Sentrum skole', type: 'skole' },
      { name: 'PPT Sentrum', type: 'ppt' },
      { name: 'Sentrum SFO', type: 'sfo' },
      { name: 'Marihøna barnehage', type: 'barnehage' },
      { name: 'Torget barnehage', type: 'barnehage' },
      { name: 'Kirkebakken skole', type: 'skole' },
      { name: 'Kirkebakken SFO', type: 'sfo' },
    ],
  },
  {
    district: 'Sørlia',
    units: [
      { name: 'Blåbærtua barnehage', type: 'barnehage' },
      { name: 'Sørlia ungdomsskole', type: 'skole' },
      { name: 'Sørlia skole', type: 'skole' },
      { name: 'Sørlia SFO', type: 'sfo' },
      { name: 'Granly barnehage', type: 'barnehage' },
      { name: 'Tyttebæret barnehage', type: 'barnehage' },
      { name: 'Furulund skole', type: 'skole' },
      { name: 'Furulund SFO', type: 'sfo' },
      { name: 'Skogstjerna barnehage', type: 'barnehage' },
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
