/**
 * RFC 4180 cells for the CSVs the kit writes and reads back: a value with a
 * comma, a double quote, CR or LF is quoted, its quotes doubled; anything else
 * is written as it is, so the kit's plain files stay byte-identical.
 */

/** One cell: quoted only where needed. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The cells of one line (no line break inside a quoted cell: the kit's names
 * have none), or a string saying what is wrong with its quoting.
 */
export function splitCsvLine(line: string): string[] | string {
  if (!line.includes('"')) return line.split(",");
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q === -1) return `cell ${cells.length + 1}: a quoted cell without its closing quote`;
        value += line.slice(j, q);
        if (line[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      cells.push(value);
      if (i === line.length) return cells;
      if (line[i] !== ",") return `cell ${cells.length}: text after the closing quote`;
      i++;
    } else {
      const comma = line.indexOf(",", i);
      const value = comma === -1 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return `cell ${cells.length + 1}: a quote inside an unquoted cell`;
      cells.push(value);
      if (comma === -1) return cells;
      i = comma + 1;
    }
  }
}
