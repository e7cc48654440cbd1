/** What every log parser gets and is: one line at a time, boots through the splitter, unreadable lines through `problem`. */
import type { BootSplitter } from "./boots";

export interface ParseContext {
  file: string;
  splitter: BootSplitter;
  /**
   * A line that mentions a module load but cannot be read (or, in json, a line
   * that is not an entry at all): throws `invalid FILE:LINE: what (allowed
   * ...)`, or with --lenient counts it and the line is skipped.
   */
  problem(line: number, what: string, allowed: string): void;
}

export interface LineParser {
  line(line: number, text: string): void;
}
