/**
 * Norwegian organisation numbers (Enhetsregisteret): nine digits, the last a mod-11 check digit
 * over the first eight with weights 3 2 7 6 5 4 3 2. A remainder of 1 would need the check digit
 * "10", so such numbers are never issued and count as invalid.
 */
const WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

/** Removes the spaces and dots people type in numbers ("974 760 673", "974.760.673"). */
export function normaliseOrgNumber(input: string): string {
  return input.replace(/[\s.\u00a0]/g, '');
}

export function isValidOrgNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const sum = WEIGHTS.reduce((total, weight, i) => total + weight * Number(value[i]), 0);
  const remainder = sum % 11;
  if (remainder === 1) return false;
  const check = remainder === 0 ? 0 : 11 - remainder;
  return check === Number(value[8]);
}
