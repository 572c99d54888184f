import ExcelJS from 'exceljs';
import type { CsvValue } from './csv.js';

/**
 * XLSX of the same rows as the CSV. Text goes in as text cells (a spreadsheet never evaluates them),
 * numbers as numbers, and suppressed figures as the text "<5".
 */
export interface ExtraSheet {
  name: string;
  header: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<CsvValue>>;
  notes: readonly string[];
}

/** `more`: further sheets after the first (the effect section), each with its title, notes and header. */
export async function toXlsx(sheetName: string, title: string, header: readonly string[], rows: ReadonlyArray<ReadonlyArray<CsvValue>>, notes: readonly string[], more: readonly ExtraSheet[] = []): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Fellesskap';
  workbook.created = new Date();
  for (const part of [{ name: sheetName, header, rows, notes }, ...more]) {
    const sheet = workbook.addWorksheet(part.name.slice(0, 31));
    sheet.addRow([title]).font = { bold: true, size: 14 };
    for (const note of part.notes) sheet.addRow([note]);
    sheet.addRow([]);
    const headerRow = sheet.addRow([...part.header]);
    headerRow.font = { bold: true };
    for (const row of part.rows) sheet.addRow(row.map((v) => (v === null || v === undefined ? '' : v)));
    sheet.columns.forEach((column, i) => {
      column.width = i === 0 ? 16 : i === 1 ? 36 : 14;
    });
    sheet.views = [{ state: 'frozen', ySplit: part.notes.length + 3 }];
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
