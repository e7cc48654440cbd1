/**
 * A log file's lines as users capture them: CRLF or LF, bytes that are not
 * UTF-8 (decoded lossily, never fatal), and possibly cut off at the end.
 */

export interface LogLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

export interface SplitLines {
  lines: LogLine[];
  /**
   * The last line when the file does not end with a newline. journalctl ends
   * every entry with one, so such a line was cut off mid-write (a capture
   * stopped, a disk filled); it is left out, since a cut "Failed to insert
   * module 'x': Device or res" would otherwise pass as a whole line.
   */
  cutLine: LogLine | null;
}

export function splitLines(text: string): SplitLines {
  const parts = text.split("\n");
  const last = parts.pop() as string;
  const lines = parts.map((t, i) => ({ line: i + 1, text: t.endsWith("\r") ? t.slice(0, -1) : t }));
  const cutLine = last === "" ? null : { line: parts.length + 1, text: last };
  return { lines, cutLine };
}
