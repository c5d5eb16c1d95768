"""compsim: a Monte Carlo, agent-based simulator of sales compensation plans.

>>> import sim
>>> scenario = sim.load_scenario("scenarios/default.toml")
>>> result = sim.run(scenario, replications=200, seed=1, jobs=2)
>>> result.summary()          # per plan and metric: mean, 95% CI, P10/P50/P90
>>> result.replications       # one row per plan and replication
"""

from importlib import metadata

from sim.budget import BudgetResult, Target, budget
from sim.errors import ScenarioError, UserError
from sim.optimize import OptimizeResult, optimize
from sim.runner import RunResult, run
from sim.scenario import Scenario, load_scenario
from sim.sweep import SweepResult, sweep

try:
    __version__ = metadata.version("compsim")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "BudgetResult",
    "OptimizeResult",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SweepResult",
    "Target",
    "UserError",
    "budget",
    "load_scenario",
    "optimize",
    "run",
    "sweep",
]
