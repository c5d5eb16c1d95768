"""The notebooks in notebooks/, one per user: stored without outputs, and each runs
top to bottom.

Each runs in a copy of the repository's layout in a temporary folder (notebooks/
beside scenarios/), so what it writes under ../results stays there, with the test
session's choice model cache (COMPSIM_CACHE, a fresh temporary folder: see
conftest.py). A failing cell fails the test: the notebooks check what they show (the
`sim` command's exit status, identical numbers across workers).

They run in quick mode (COMPSIM_NOTEBOOK_QUICK=1, which each notebook reads and says
so in its first cell): every cell runs top to bottom, with fewer company-runs (and
worker processes only where a cell is about them) than a reader gets, since the test
checks that the notebooks work, not their numbers.
"""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from helpers import ROOT
from nbclient import NotebookClient

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 600  # seconds: a cell that hangs fails instead of blocking the suite


def test_one_notebook_per_user():
    names = [p.stem for p in NOTEBOOKS]
    assert names == ["cro_compare_plans", "fpa_budget", "researcher_sweep"]


def cells_with_outputs(notebook) -> list[int]:
    return [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = cells_with_outputs(notebook)
    assert not dirty, (
        f"{path.name}: cells {dirty} hold outputs or execution counts; clear all outputs "
        "before committing (Jupyter: Edit > Clear Outputs of All Cells)"
    )
    assert notebook.metadata.kernelspec.name == "python3"


def test_the_check_fails_on_outputs():
    notebook = nbformat.read(NOTEBOOKS[0], as_version=4)
    code = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
    notebook.cells[code].outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    notebook.cells[code].execution_count = 1
    assert cells_with_outputs(notebook) == [code]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setenv("COMPSIM_NOTEBOOK_QUICK", "1")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path / "notebooks")}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    # what a reader sees is in units: no money as 3.935541e+07 (tables and printed lines)
    shown = [
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for c in notebook.cells
        for o in c.get("outputs", [])
    ]
    raw = [line for text in shown for line in text.splitlines() if re.search(r"\de\+\d", line)]
    assert not raw, raw
