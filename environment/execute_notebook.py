"""Execute one notebook with Jupyter's own executor (nbclient) and the project kernel.

Called by `npm run reproduce` (src/6-notebooks/runner.ts), not by hand. The
executed notebook goes to OUT (a temporary path); the caller renames it into
place only on success, so the original is never half-written. The last line on
stdout is one JSON object describing the outcome, which the caller parses:
  {"ok": true, "cells": N}
  {"ok": false, "kind": "error"|"timeout"|"dead"|"startup", "cell": N, "codeCell": M, "message": "..."}
`cell` is 1-based over all cells of the file, markdown included; `codeCell` is
1-based over the code cells that run (non-empty ones), as JupyterLab numbers
their prompts after Run All: code cell 4 is the one whose prompt reads [4].
"""
import asyncio
import json
import os
import re
import shutil
import signal
import sys
import threading
import time

# jsonschema (under nbformat) imports rfc3987_syntax when it is installed (JupyterLab's
# dependencies bring it), which builds a parser grammar at import: ~1 s per notebook.
# Notebook validation never checks the "iri" format it serves, and jsonschema skips
# that check when the import fails, so make the import fail.
sys.modules.setdefault("rfc3987_syntax", None)

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
    # dying on the signal would leave the kernel process running. Once only:
    # an orphaned executor gets SIGTERM twice (PR_SET_PDEATHSIG, then its
    # watchdog), and a second KeyboardInterrupt raised inside that unwinding
    # escaped main() past the orphan's clean-up.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


# How long the executor, once its parent (`modburst reproduce`) is gone, lets the
# orderly shutdown (the SIGTERM path above) run before it kills the kernel itself.
ORPHAN_GRACE_SECONDS = 3.0


def remove_run_tmp():
    """The run's temp folder (its browsers' profiles and artifacts, see src/machine/runTmp.ts):
    a run killed with -9 cannot remove it, so its orphaned executors do."""
    run_tmp = os.environ.get("MODBURST_RUN_TMP")
    if not run_tmp:
        return
    # The run's browser notices its parent is gone on its own, and may write its
    # profile while it exits: remove until the folder stays gone (5 s at most).
    deadline = time.monotonic() + 5
    while True:
        shutil.rmtree(run_tmp, ignore_errors=True)
        time.sleep(0.5)
        if not os.path.exists(run_tmp) or time.monotonic() > deadline:
            return


def die_with_parent(client, out):
    """`kill -9` on reproduce (an OOM killer, a cancelled CI job) gives it no
    chance to stop its executors, and jupyter_client starts the kernel in a new
    session, out of reach of signals sent to ours. So: on Linux the kernel sends
    this process SIGTERM when the parent dies (PR_SET_PDEATHSIG); everywhere a
    watchdog thread notices the parent is gone (we were re-parented), raises the
    same SIGTERM, and if the orderly shutdown has not finished after a grace
    time kills the kernel's process group, removes its connection file and exits."""
    # The parent as it started us (the runner names itself): a parent killed while this
    # script was still importing would otherwise be recorded as init, and never missed.
    parent = int(os.environ.get("MODBURST_EXECUTOR_PARENT", os.getppid()))
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except Exception:
            pass  # the watchdog below still applies

    def orphaned():
        return os.getppid() != parent

    def kill_kernel():
        km = client.km
        if km is None:
            return
        provisioner = getattr(km, "provisioner", None)
        pgid = getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None)
        if pgid:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:
                pass
        for f in (getattr(km, "connection_file", None),):
            if f:
                try:
                    os.remove(f)
                except OSError:
                    pass

    def watch():
        while not orphaned():
            time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(ORPHAN_GRACE_SECONDS)
        kill_kernel()
        try:
            os.remove(out)
        except OSError:
            pass
        remove_run_tmp()
        os._exit(130)

    if orphaned():  # died between our start and now
        remove_run_tmp()
        os._exit(130)
    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
    return orphaned


def main():
    signal.signal(signal.SIGTERM, interrupted)
    if len(sys.argv) != 5:
        print("usage: execute_notebook.py IN OUT KERNEL TIMEOUT_SECONDS", file=sys.stderr)
        return 2
    src, out, kernel, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(float(sys.argv[4]))
    nb = nbformat.read(src, as_version=4)
    current = {"cell": None, "codeCell": None}

    def runs(cell):
        # nbclient skips code cells whose source is blank; the kernel gives them no prompt number.
        return cell.cell_type == "code" and cell.source.strip() != ""

    def on_cell_start(cell, cell_index, **_):
        current["cell"] = cell_index + 1
        current["codeCell"] = sum(1 for c in nb.cells[:cell_index + 1] if runs(c))

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
    orphaned = die_with_parent(client, out)
    result = {"ok": True, "cells": len(nb.cells)}
    try:
        client.execute()
    except CellTimeoutError:
        result = {"ok": False, "kind": "timeout", "cell": current["cell"], "codeCell": current["codeCell"],
                  "message": "cell did not finish within %g s" % timeout}
    except CellExecutionError as err:
        result = {"ok": False, "kind": "error", "cell": current["cell"], "codeCell": current["codeCell"],
                  "message": error_message(err, nb.cells[current["cell"] - 1] if current["cell"] else None)}
    except DeadKernelError as err:
        result = {"ok": False, "kind": "dead", "cell": current["cell"], "codeCell": current["codeCell"],
                  "message": "kernel died: %s" % first_line(err)}
    except (KeyboardInterrupt, asyncio.CancelledError):
        # An interrupt while the kernel starts reaches us as asyncio's CancelledError.
        if orphaned():
            # Nobody reads the report; the kernel and its connection file are gone.
            remove_run_tmp()
            os._exit(130)
        print(json.dumps({"ok": False, "kind": "interrupted", "cell": current["cell"], "codeCell": current["codeCell"], "message": "interrupted"}))
        return 130
    except RuntimeError as err:
        result = {"ok": False, "kind": "startup", "cell": current["cell"], "codeCell": current["codeCell"],
                  "message": first_line(err)}
    if orphaned():
        remove_run_tmp()
        os._exit(130)  # nobody would rename OUT into place
    if result["ok"]:
        nbformat.write(nb, out)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
