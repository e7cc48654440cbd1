/** A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  const started = Date.now();
  return (done: number, total: number) => {
    const frac = total === 0 ? 1 : done / total;
    if (tty) {
      const width = 30;
      const filled = Math.round(frac * width);
      stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (done === total) stream.write("\n");
    } else {
      const tenth = Math.floor(frac * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`${label}: ${done}/${total} (${Math.round(frac * 100)}%)\n`);
      }
    }
  };
}
