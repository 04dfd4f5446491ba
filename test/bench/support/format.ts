/** Markdown helpers for the report. */

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
}

export function int(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

export function kib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KB` : '–';
}

export function pct(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value)} %` : '–';
}

/** "0.62×": how Herald's figure compares with a peer's (the caller says which way is better). */
export function ratio(herald: number, peer: number): string {
  if (!Number.isFinite(herald) || !Number.isFinite(peer) || peer === 0) return '–';
  return `${(herald / peer).toFixed(2)}×`;
}

export function yesNo(ok: boolean): string {
  return ok ? 'yes' : '**no**';
}
