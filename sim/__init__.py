"""compsim: a Monte Carlo, agent-based simulator of sales compensation plans.

>>> import sim
>>> scenario = sim.load_scenario("scenarios/default.toml")
>>> result = sim.run(scenario, replications=200, seed=1, jobs=2)
>>> result.summary()          # per plan and metric: mean, 95% CI, P10/P50/P90
>>> result.replications       # one row per plan and replication
"""

import sys
import types
from importlib import import_module, metadata

try:
    __version__ = metadata.version("compsim")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

# Each public name is imported from its module on first use (PEP 562), so that what
# needs little (`sim --version`, `sim validate`, a worker process) does not import
# pandas, scipy and every command's code.
_HOMES = {
    "BudgetResult": "sim.budget",
    "OptimizeResult": "sim.optimize",
    "RunResult": "sim.runner",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.errors",
    "SweepResult": "sim.sweep",
    "Target": "sim.budget",
    "UserError": "sim.errors",
    "budget": "sim.budget",
    "load_scenario": "sim.scenario",
    "optimize": "sim.optimize",
    "run": "sim.runner",
    "sweep": "sim.sweep",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    """A public name, or a submodule (`sim.plans`), imported on first use."""
    if name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
        globals()[name] = value  # found directly from now on
        return value
    try:
        return import_module(f"{__name__}.{name}")  # binds itself on the package
    except ModuleNotFoundError as missing:
        if missing.name != f"{__name__}.{name}":
            raise  # a module it needs is missing: say that, not that it is
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


class _Package(types.ModuleType):
    """`sim.budget`, `sim.optimize` and `sim.sweep` are functions named as their
    modules. Importing a submodule binds it on its package, so without this a
    function would turn into its module as soon as any code imported the module."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and _HOMES.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
