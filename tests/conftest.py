import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# Built choice models are kept in one folder for the whole test session (and the `sim`
# commands it starts), so a scenario's choice model is built once, not once per test;
# a fresh folder each session, so no test depends on what an earlier session left.
# Under pytest-xdist the workers inherit the controller's folder (PYTEST_XDIST_WORKER
# is set in each worker before this file runs), so the whole session shares one cache;
# entries are written atomically, so two workers building the same model is only waste.
# The controller removes the folder when it exits, after its workers (tens of MB a
# session, which would otherwise pile up in /tmp).
if "PYTEST_XDIST_WORKER" not in os.environ:
    os.environ["COMPSIM_CACHE"] = tempfile.mkdtemp(prefix="compsim-test-cache-")
    atexit.register(shutil.rmtree, os.environ["COMPSIM_CACHE"], ignore_errors=True)
