"""The sales floor of the events engine: every pursued opportunity is a process that
closes on a day of its closing month.

An opportunity arrives on a day of its month (a fraction of the month drawn from its
own key) and, its sales cycle being whole months (`sim.market.sales_cycle`), comes
to close on the same fraction of its closing month. Whether it is pursued is decided
at the month's first epoch, as in the batch engine, by the same rules
(`sim.engine.pipeline`: thinning by ramp and effort, the rep's fit threshold,
workload over the month's pursuits). At close the rep then in the seat sets the
discount and the deal is won or lost by its own keyed uniform, as in the batch
engine, so both engines decide each deal alike; what the events engine adds is the
day.

Timing games (`behavior.levers.timing`), decided at the month's first epoch like the
batch engine's: a pulling rep brings pursued deals due within the pull horizon into
the month, and they close in its last `events.pull_window_days` (a day drawn from
the deal's key); a pushing rep's won deals are held and booked within the first
`events.release_window_days` of the next period.
"""

from __future__ import annotations

import numpy as np
import simpy

from sim import world
from sim.behavior.grid import PULL, PUSH
from sim.engine.events.calendar import DAYS_PER_MONTH, day_in_month, first_days, last_days
from sim.engine.pipeline import (
    booked_value,
    close_discount,
    passes_veto,
    pursues,
    pursuit_load,
    slips,
    wins,
)
from sim.streams import DRAW, keyed_uniform

_I = np.int64


class SalesFloor:
    """Opportunities of one replication (market rows; the replication's seats are
    its owners) from pursuit to booking."""

    def __init__(self, engine):
        self.e, self.env, self.s = engine, engine.env, engine.s
        opp = self.opp = engine.m.opportunities
        n = len(opp)
        self.pursued = np.zeros(n, dtype=bool)
        self.closed = np.zeros(n, dtype=bool)
        self.overforecast = np.zeros(n, dtype=np.float32)
        self.discount = np.zeros(n, dtype=np.float32)  # offered at pursuit
        self.load = np.zeros(n, dtype=np.float32)
        self.skill = np.zeros(n, dtype=np.float32)
        self.months_pulled = np.zeros(n)
        self.fraction = keyed_uniform(opp.key, DRAW["arrival_day"])  # of the month
        self.deals: dict[int, simpy.Process] = {}  # open pursuits by row
        self.open_count = np.zeros(engine.shape)  # (1, S) pursued and not yet closed
        self.held_acv = np.zeros(engine.shape)  # (1, S) $ ACV held for the next period
        self.action = None  # (1, S) this month's timing action, or None
        self.months_left = None  # (1, S) months to the end of the timing period

    # --- the month's first epoch ------------------------------------------------------

    def begin_month(self, k: int, t: int, view) -> None:
        """Take the month's timing actions (pulls now, holds at close) and pursue the
        month's arrivals."""
        e, lv = self.e, self.s.behavior.levers
        self.action = None
        if lv.timing and k + 1 < e.T:
            self.action = e.behavior.timing_action(view)
            period = e.behavior.timing_period
            self.months_left = np.full(e.shape, period - t % period)
            self._pull(k)
        self._pursue(k)

    def _pursue(self, k: int) -> None:
        e, opp = self.e, self.opp
        rows = opp.rows_of_month(k)
        seat = opp.seat[rows]
        effort = e.behavior.effort[0]
        ramp = world.ramp_fraction(e.tenure, self.s.reps)[0]
        keep = ramp[seat] * effort[seat] / self.s.max_effort
        fit_bar = e.behavior.fit_threshold[0][seat]
        chosen = pursues(opp.u_ramp[rows], opp.fit[rows], e.occupied[0][seat], keep, fit_bar)
        rows, seat = rows[chosen], seat[chosen]
        n_pursued = np.bincount(seat, minlength=e.S)
        load = pursuit_load(n_pursued, effort, self.s)
        self.pursued[rows] = True
        self.overforecast[rows] = e.behavior.overforecast[0][seat]
        self.discount[rows] = e.behavior.discount[0][seat]
        self.load[rows] = load[seat]
        self.skill[rows] = e.traits["skill"][0][seat]
        self.open_count[0] += n_pursued
        for row in rows.tolist():
            close_day = day_in_month(opp.close_month[row], self.fraction[row])
            self.deals[row] = self.env.process(self._deal(row, close_day))

    def _pull(self, k: int) -> None:
        """Pulling reps bring their pursued deals due within the pull horizon into the
        last days of this month (the batch engine's `Pipeline._pull`)."""
        lv, opp = self.s.behavior.levers, self.opp
        pulling = self.action[0] == PULL
        if not pulling.any():
            return
        window = self.s.events.pull_window_days
        for ahead in range(1, lv.pull_horizon_months + 1):
            if k + ahead >= len(opp.close_offsets) - 1:
                break
            rows = opp.rows_closing(k + ahead)
            rows = rows[self.pursued[rows] & ~self.closed[rows]]
            rows = rows[pulling[opp.seat[rows]]]
            u = keyed_uniform(opp.key[rows], DRAW["pull_day"])
            for row, fraction in zip(rows.tolist(), u.tolist(), strict=True):
                self.months_pulled[row] = ahead
                self.deals[row].interrupt(last_days(k, window, fraction))

    # --- one deal -----------------------------------------------------------------------

    def _deal(self, row: int, close_day: float):
        """A pursued opportunity: works until its close day (or a pulled one's), closes."""
        try:
            yield self.env.timeout(close_day - self.env.now)
        except simpy.Interrupt as pull:
            yield self.env.timeout(pull.cause - self.env.now)
        del self.deals[row]
        self._close(row)

    def _close(self, row: int) -> None:
        """Close one deal on the current day: the batch engine's rules on one row."""
        e, opp, lv = self.e, self.opp, self.s.behavior.levers
        seat, one = int(opp.seat[row]), slice(row, row + 1)
        self.closed[row] = True
        self.open_count[0, seat] -= 1
        e.month.pursuits_closed[0, seat] += 1
        offered = e.behavior.discount[0, seat] if e.occupied[0, seat] else self.discount[one]
        early = self.months_pulled[one]
        d = close_discount(np.atleast_1d(offered).astype(float), early, e.policies, lv)
        o = self.overforecast[one].astype(float)
        key = opp.key[one]
        p_win = world.win_probability(
            d, opp.fit[one], self.skill[one], o, self.load[one], self.s.win
        )
        if not (wins(key, p_win, early, lv)[0] and passes_veto(opp.fit[one], e.policies)[0]):
            return
        if self.action is not None and self.action[0, seat] == PUSH:
            left = int(self.months_left[0, seat])
            if left <= lv.push_horizon_months:
                e.month.held += 1
                if not slips(key, np.array([left]), lv)[0]:
                    self.env.process(self._hold(row, d, o, e.k + left))
                return
        self._book(row, d, o, early[0])

    def _hold(self, row: int, d, o, month: int):
        """A won deal held for the next period: booked in its first days."""
        seat = int(self.opp.seat[row])
        acv = booked_value(self.opp.key[row : row + 1], self.s, d, o)[0]
        self.held_acv[0, seat] += acv
        u = keyed_uniform(self.opp.key[row : row + 1], DRAW["release_day"])[0]
        day = first_days(month, self.s.events.release_window_days, u)
        yield self.env.timeout(day - self.env.now)
        self.held_acv[0, seat] -= acv
        self._book(row, d, o, 0.0)

    def _book(self, row: int, d, o, months_pulled: float) -> None:
        e = self.e
        deals = e.book_deals(e.k, np.array([row], dtype=_I), d, o)
        m = e.month
        m.deals.append(deals)
        m.deal_days.append(self.env.now - e.k * DAYS_PER_MONTH)
        if months_pulled > 0:
            m.pulled += 1
            m.pulled_discount += float(d[0])
        e.service.admit(deals.customer, self.env.now)
