"""The one way kg starts a helper process: `python -m MODULE ARGS…` with this interpreter.

Not multiprocessing: its "spawn" re-imports the caller's main script (a script without a
`__main__` guard would start workers forever), and "fork" would copy a process that holds a
store's threads. Used by the loader's compile workers (kg.loading.parallel) and the query workers
(kg.executor.worker)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import kg

# the folder that holds the kg package, so a child imports the same kg even when it runs from a checkout
_PACKAGE_PARENT = str(Path(kg.__file__).resolve().parent.parent)


def start_module(module: str, *args: str, **popen) -> subprocess.Popen:
    """`python -m module args…` in a new process (popen: subprocess.Popen's options)."""
    env = {**os.environ, **popen.pop("env", {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, os.environ.get("PYTHONPATH")) if p)
    return subprocess.Popen([sys.executable, "-m", module, *args], env=env, **popen)
