"""Scenario files: the schema of every model coefficient, loading and validation."""

from sim.scenario.loader import load_scenario, validate_scenario
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "validate_scenario"]
