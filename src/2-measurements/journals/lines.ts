/**
 * A log file's lines as users capture them: CRLF or LF, bytes that are not
 * UTF-8 (decoded lossily, never fatal), a UTF-8 byte-order mark an editor
 * added, and possibly cut off at the end. Read a chunk at a time, so a log of
 * hundreds of MB is never one string and only the lines in use are alive.
 */
import * as fs from "fs";

export interface LogLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

export interface ReadLinesResult {
  /**
   * The last line when the file does not end with a newline. journalctl ends
   * every entry with one, so such a line was cut off mid-write (a capture
   * stopped, a disk filled); it is left out, since a cut "Failed to insert
   * module 'x': Device or res" would otherwise pass as a whole line.
   */
  cutLine: LogLine | null;
}

/** What the first bytes of a file say about its encoding. */
export type ByteOrderMark = "none" | "utf8" | "utf16le" | "utf16be";

export function byteOrderMark(fd: number): ByteOrderMark {
  const head = Buffer.alloc(3);
  const n = fs.readSync(fd, head, 0, 3, 0);
  if (n >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return "utf8";
  if (n >= 2 && head[0] === 0xff && head[1] === 0xfe) return "utf16le";
  if (n >= 2 && head[0] === 0xfe && head[1] === 0xff) return "utf16be";
  return "none";
}

const chunkBytes = 4 << 20;

function decode(buf: Buffer, start: number, end: number): string {
  const stop = end > start && buf[end - 1] === 0x0d ? end - 1 : end; // CRLF
  // Split at "\n" bytes first, then decoded: no UTF-8 sequence contains 0x0a, so this is what decoding the whole file gives.
  return buf.toString("utf8", start, stop);
}

/**
 * The longest line read: journald caps a line at 48 KiB (LineMax=), kmsg at 1
 * KiB, and journalctl -o json prints a field over 4 KiB as null; a longer line
 * is a corrupt file or not a log, and goes to `onLongLine` unread.
 */
export const maxLineBytes = 16 << 20;

/**
 * Call `onLine` for every line of the first `sizeBytes` bytes of `fd` (the size
 * measured before reading: a log that grows meanwhile is read as it was), from
 * byte `fromByte` on (3 after a UTF-8 byte-order mark).
 */
export function forEachLine(
  fd: number,
  sizeBytes: number,
  fromByte: number,
  onLine: (line: number, text: string) => void,
  onLongLine: (line: number, bytes: number) => void,
): ReadLinesResult {
  let position = fromByte;
  let line = 0;
  // The start of a line that continues in the next chunk (copied: a slice would keep its chunk alive).
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const finish = (tail: Buffer) => {
    line++;
    const bytes = pendingBytes + tail.length;
    if (bytes > maxLineBytes) onLongLine(line, bytes);
    else {
      const whole = pending.length > 0 ? Buffer.concat([...pending, tail]) : tail;
      onLine(line, decode(whole, 0, whole.length));
    }
    pending = [];
    pendingBytes = 0;
  };
  while (position < sizeBytes) {
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, sizeBytes - position));
    const got = fs.readSync(fd, chunk, 0, chunk.length, position);
    if (got === 0) break; // truncated meanwhile
    position += got;
    const view = chunk.subarray(0, got);
    let start = 0;
    let nl = view.indexOf(0x0a);
    if (nl >= 0 && pendingBytes > 0) {
      finish(view.subarray(0, nl));
      start = nl + 1;
      nl = view.indexOf(0x0a, start);
    }
    for (; nl >= 0; nl = view.indexOf(0x0a, start)) {
      line++;
      if (nl - start > maxLineBytes) onLongLine(line, nl - start);
      else onLine(line, decode(view, start, nl));
      start = nl + 1;
    }
    if (start < got) {
      const rest = view.subarray(start);
      // Past the cap only the count matters.
      if (pendingBytes + rest.length <= maxLineBytes) pending.push(Buffer.from(rest));
      else pending = [];
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes === 0) return { cutLine: null };
  const text = pendingBytes <= maxLineBytes ? decode(Buffer.concat(pending), 0, pendingBytes) : "";
  return { cutLine: { line: line + 1, text } };
}
