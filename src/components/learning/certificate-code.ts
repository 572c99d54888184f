import { randomBytes } from 'node:crypto';

// Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is unambiguous.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A 60-bit random verification code, shown as XXXX-XXXX-XXXX. */
export function newCertificateCode(): string {
  const bytes = randomBytes(12);
  let code = '';
  for (let i = 0; i < 12; i += 1) code += ALPHABET[bytes[i]! % 32];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}`;
}

/** Accepts what people type: lower case, spaces, O for 0, I/L for 1; null when it cannot be a code. */
export function normaliseCertificateCode(input: string): string | null {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{12}$/.test(cleaned)) return null;
  return `${cleaned.slice(0, 4)}-${cleaned.slice(4, 8)}-${cleaned.slice(8, 12)}`;
}
