import { CliInputError } from './cli-error';
import { quoted } from '../common/invalid-input.error';

/** How `audit` commands print (`--format`). */
export const OUTPUT_FORMATS = ['table', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(raw: string | undefined): OutputFormat {
  if (raw === undefined) return 'table';
  const format = OUTPUT_FORMATS.find((known) => known === raw);
  if (format === undefined) throw new CliInputError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${quoted(raw)}`);
  return format;
}

/** A column: its header, and its text for table and CSV output. */
export interface Column<Row> {
  header: string;
  cell(row: Row): string;
}

/**
 * Prints rows as they come, batch by batch, without holding them all: JSON lines (`json`
 * gives each row's object), CSV (RFC 4180) or an aligned table whose column widths are those
 * of the first batch (a longer value later only pushes its own line out).
 */
export class RecordOutput<Row> {
  private widths: number[] | null = null;

  constructor(
    private readonly format: OutputFormat,
    private readonly columns: readonly Column<Row>[],
    private readonly json: (row: Row) => object,
    private readonly write: (text: string) => void,
  ) {}

  /** The header line (none in JSON lines): printed even when no row follows. */
  start(): void {
    const headers = this.columns.map((column) => column.header);
    if (this.format === 'csv') this.write(`${headers.map(csvCell).join(',')}\r\n`);
  }

  rows(batch: readonly Row[]): void {
    if (this.format === 'jsonl') {
      this.write(batch.map((row) => `${JSON.stringify(this.json(row))}\n`).join(''));
      return;
    }
    const cells = batch.map((row) => this.columns.map((column) => column.cell(row)));
    if (this.format === 'csv') {
      this.write(cells.map((line) => `${line.map(csvCell).join(',')}\r\n`).join(''));
      return;
    }
    const lines = cells.map((line) => line.map(printable));
    if (this.widths === null) {
      const headers = this.columns.map((column) => column.header);
      this.widths = headers.map((header, index) => Math.max(header.length, ...lines.map((line) => line[index].length)));
      this.write(`${this.aligned(headers)}\n`);
    }
    this.write(lines.map((line) => `${this.aligned(line)}\n`).join(''));
  }

  /** A table with no row still shows its header, so that "none" is visible as such. */
  end(): void {
    if (this.format === 'table' && this.widths === null) this.write(`${this.columns.map((column) => column.header).join('  ')}\n`);
  }

  private aligned(line: readonly string[]): string {
    return line
      .map((cell, index) => cell.padEnd(this.widths![index]))
      .join('  ')
      .trimEnd();
  }
}

/**
 * A CSV cell: quoted when it holds a quote, comma or line break; and, as it may be text a
 * caller sent (a user agent), never read as a formula by a spreadsheet (a leading `=`, `+`,
 * `-`, `@`, tab or carriage return gets a `'` first, as OWASP advises).
 */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Table cells go to a terminal: control characters (escape sequences) are shown as `?`. */
function printable(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
