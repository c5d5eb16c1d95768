"""The events engine (`sim run --engine events`): each replication a simpy
Environment in days, running the same company as the batch engine."""

from sim.engine.events.engine import EventEngine

__all__ = ["EventEngine"]
