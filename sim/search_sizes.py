"""How large the FP&A searches are by default, in a module of its own so that the
command line can show these defaults in its help without importing the searches."""

BUDGET_REPLICATIONS = 200  # company-runs per evaluation of `sim budget`
OPTIMIZE_EVALS = 40  # simulations of `sim optimize`'s search
OPTIMIZE_REPLICATIONS = 100  # company-runs per search simulation of `sim optimize`
