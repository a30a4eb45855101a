// Text taken from a file or a file name, made safe to print on one terminal line: control
// characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides are shown as
// escapes, so a hostile or broken file cannot move the cursor, recolour the terminal or split an
// error over several lines.

const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return (
      NAMED[c] ??
      (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
    );
  });
}
