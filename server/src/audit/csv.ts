import type { AuditEntry } from '@tripline/shared';

/** The audit log as CSV (RFC 4180), one line per entry. */

const CSV_COLUMNS = ['id', 'at', 'actor', 'actorId', 'ip', 'action', 'targetType', 'targetId', 'before', 'after'] as const;

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

/** One RFC 4180 line; cells a spreadsheet would run as a formula (=, +, -, @ …) are prefixed with '. */
export function csvLine(entry: AuditEntry): string {
  return (
    CSV_COLUMNS.map((c) => {
      const v = entry[c];
      let text = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    }).join(',') + '\r\n'
  );
}
