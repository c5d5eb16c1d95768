"""Presenting results: views of a run's numbers, never new numbers.

- `table`: the console table `sim run` prints.
- `narrative`: each plan against the baseline in plain words (% change, pt).
- `journey`: source 001's ownership matrix, cash per role and customer-journey stage.
- `plots`: the report's figures (matplotlib, headless).
- `html`: `report.html`, one self-contained page.

Everything here reads `sim.analysis` tables and the `RunResult`; nothing below
(`runner`, `analysis`, the engine) imports from here.
"""
