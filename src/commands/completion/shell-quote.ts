/** A single-quoted shell word (bash, zsh and fish all read '...' literally, bar the quote itself). */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The same for fish, whose single quotes escape \' and \\ instead. */
export function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** One line of text for a description column: no tabs or newlines. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
