"""The wheel works on its own: built from this repository, installed in a fresh virtual environment
outside it, it finds its ontology, canned queries and seed corpus through the package, loads the
seeds and answers a canned query."""

from __future__ import annotations

import csv
import io
import os
import site
import subprocess
import sys
import venv

from support import ROOT


def test_a_wheel_installed_outside_the_repository_loads_the_seeds_and_answers_a_canned_query(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = wheels.glob("homs_kg-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # the dependencies come from this environment (no network): its site-packages as a plain path,
    # which leaves out the editable install's finder (a .pth file there is not processed)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    with open(os.path.join(purelib, "deps-from-test-env.pth"), "w") as f:
        f.write("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KG_STORE")}

    def kg(*args: str) -> str:
        done = subprocess.run([str(python), "-c", "from api.cli import main; main()", *args], cwd=work, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run([str(python), "-c", "import kg.paths as p; print(p.QUERIES_DIR); print(p.SEEDS)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert all(path.startswith(str(env_dir)) for path in where), where  # the installed copies, not the repository's
    kg("load", "--store", str(work / "store"))  # the seeds that ship in the wheel
    rows = list(csv.DictReader(io.StringIO(kg("query", "ceasefires", "-p", "place=Old City", "--format", "csv",
                                               "--store", str(work / "store")))))
    assert any(r["agreement"].endswith("/old-homs-truce") for r in rows), rows
