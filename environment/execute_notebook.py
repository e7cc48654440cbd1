"""Execute one notebook with Jupyter's own executor (nbclient) and the project kernel.

Called by `npm run reproduce` (src/notebooks/runner.ts), not by hand. The
executed notebook goes to OUT (a temporary path); the caller renames it into
place only on success, so the original is never half-written. The last line on
stdout is one JSON object describing the outcome, which the caller parses:
  {"ok": true, "cells": N}
  {"ok": false, "kind": "error"|"timeout"|"dead"|"startup", "cell": N, "message": "..."}
`cell` is 1-based over all cells of the notebook, as a reader counts them.
"""
import json
import os
import re
import signal
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def first_line(text):
    for line in str(text).splitlines():
        line = line.strip()
        if line:
            return line
    return str(text).strip()


ERROR_LINE = re.compile(r"^([A-Za-z_$][\w$.]*)?(Error|Exception)\b.*:")


def error_message(err, cell):
    """One line for the user. tslab reports errors with ename '<Error>' and an
    empty evalue, and writes the message (runtime error or TypeScript diagnostic)
    to the cell's stderr; prefer that."""
    if err.evalue and err.ename not in ("<Error>", ""):
        return "%s: %s" % (err.ename, first_line(err.evalue))
    stderr = "".join(o.get("text", "") for o in (cell or {}).get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr")
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    for line in lines:
        if ERROR_LINE.match(line):
            return line
    for line in lines:
        if not line.startswith("evalmachine.") and not line.startswith("at "):
            return line
    return first_line(err.evalue) or err.ename or "cell failed"


def interrupted(signum, frame):
    # Unwinding through nbclient's context managers shuts the kernel down;
    # dying on the signal would leave the kernel process running.
    raise KeyboardInterrupt


def main():
    signal.signal(signal.SIGTERM, interrupted)
    if len(sys.argv) != 5:
        print("usage: execute_notebook.py IN OUT KERNEL TIMEOUT_SECONDS", file=sys.stderr)
        return 2
    src, out, kernel, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(float(sys.argv[4]))
    nb = nbformat.read(src, as_version=4)
    current = {"cell": None}

    def on_cell_start(cell, cell_index, **_):
        current["cell"] = cell_index + 1

    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        # Per-cell timestamps are the only volatile field nbclient adds; without
        # them re-running a deterministic notebook gives identical bytes.
        record_timing=False,
        allow_errors=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
        on_cell_start=on_cell_start,
    )
    result = {"ok": True, "cells": len(nb.cells)}
    try:
        client.execute()
    except CellTimeoutError:
        result = {"ok": False, "kind": "timeout", "cell": current["cell"],
                  "message": "cell did not finish within %g s" % timeout}
    except CellExecutionError as err:
        result = {"ok": False, "kind": "error", "cell": current["cell"],
                  "message": error_message(err, nb.cells[current["cell"] - 1] if current["cell"] else None)}
    except DeadKernelError as err:
        result = {"ok": False, "kind": "dead", "cell": current["cell"],
                  "message": "kernel died: %s" % first_line(err)}
    except KeyboardInterrupt:
        print(json.dumps({"ok": False, "kind": "interrupted", "cell": current["cell"], "message": "interrupted"}))
        return 130
    except RuntimeError as err:
        result = {"ok": False, "kind": "startup", "cell": current["cell"],
                  "message": first_line(err)}
    if result["ok"]:
        nbformat.write(nb, out)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
