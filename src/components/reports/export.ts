import ExcelJS from 'exceljs';
import type { CsvValue } from './csv.js';

/**
 * XLSX of the same rows as the CSV. Text goes in as text cells (a spreadsheet never evaluates them),
 * numbers as numbers, and suppressed figures as the text "<5".
 */
export async function toXlsx(sheetName: string, title: string, header: readonly string[], rows: ReadonlyArray<ReadonlyArray<CsvValue>>, notes: readonly string[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Fellesskap';
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.addRow([title]).font = { bold: true, size: 14 };
  for (const note of notes) sheet.addRow([note]);
  sheet.addRow([]);
  const headerRow = sheet.addRow([...header]);
  headerRow.font = { bold: true };
  for (const row of rows) sheet.addRow(row.map((v) => (v === null || v === undefined ? '' : v)));
  sheet.columns.forEach((column, i) => {
    column.width = i === 0 ? 16 : i === 1 ? 36 : 14;
  });
  sheet.views = [{ state: 'frozen', ySplit: notes.length + 3 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
