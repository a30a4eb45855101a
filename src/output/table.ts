// Text tables the way kubeadm and kubectl print them: Go's text/tabwriter layout and
// apimachinery's short human durations (`23h`, `364d`), shared by check-expiration and token list.

/** apimachinery's ShortHumanDuration: `<invalid>`, `0s`, `59s`, `59m`, `23h`, `364d`, `9y`. */
export function shortHumanDuration(seconds: number): string {
  const s = Math.trunc(seconds);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 60) return `${s}s`;
  const minutes = Math.trunc(s / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(s / 3600);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(s / 3600 / 24 / 365)}y`;
}

/**
 * Go's text/tabwriter with kubeadm's settings (minwidth 10, tabwidth 4, padding 3, padchar ' ', no
 * flags): tab-terminated cells are aligned per column block of consecutive lines; the text after the
 * last tab of a line is not part of any column.
 */
export function tabwrite(lines: readonly string[], minwidth = 10, padding = 3): string {
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[][] = cells.map((c) => new Array<number>(Math.max(0, c.length - 1)).fill(0));
  const format = (line0: number, line1: number, column: number): void => {
    let l = line0;
    while (l < line1) {
      if (column >= cells[l]!.length - 1) {
        l++;
        continue;
      }
      // A block: consecutive lines that have a cell in this column.
      const start = l;
      let width = minwidth;
      for (; l < line1 && column < cells[l]!.length - 1; l++) {
        width = Math.max(width, [...cells[l]![column]!].length + padding);
      }
      for (let i = start; i < l; i++) widths[i]![column] = width;
      format(start, l, column + 1);
    }
  };
  format(0, cells.length, 0);
  return cells
    .map((c, i) => c.map((text, j) => (j < c.length - 1 ? text.padEnd(widths[i]![j]!, ' ') : text)).join(''))
    .map((l) => `${l}\n`)
    .join('');
}
