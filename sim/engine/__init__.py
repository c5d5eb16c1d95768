"""Engines turn a scenario, a plan and a market into monthly ledgers."""
