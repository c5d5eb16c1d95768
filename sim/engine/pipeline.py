"""The sales pipeline: opportunities from pursuit to close, timing games, and wins.

An opportunity arrives in a month (`sim.market`); if its seat is filled and the
rep's effort and ramp keep it (thinning), and its fit clears the rep's fit
threshold, the rep pursues it, promising a commitment of (1 + overforecast) x
need and working it alongside the month's other pursuits (workload). It closes
after its sales cycle: the discount is set then, by the rep in the seat at
close, and the deal is won if its keyed uniform falls below the win
probability (`world.win_probability`). Deciding the win at close, with the
opportunity's own uniform, keeps common random numbers: the same opportunity
has the same luck under every plan, whatever discount each plan leads to.

Timing games (`behavior.levers.timing`): a rep who pulls this month brings the
pursued deals due within `pull_horizon_months` into this month at an extra
discount per month pulled, and loses some (`pull_loss` per month); a rep who
holds moves this month's won deals to the first month of the next period, and
some slip away (`push_loss` per month held).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim import world
from sim.behavior.grid import PULL, PUSH
from sim.engine.due import file_by_month, pop_due
from sim.market import Market, account_details
from sim.streams import DRAW, keyed_uniform
from sim.subsets import rows_where

_I = np.int64


AT_PURSUIT = ("overforecast", "discount", "load", "skill")


@dataclass(slots=True)
class Closed:
    """What closed in a month: won deals to book (opportunity rows) with their terms,
    and per seat the pursuits that closed (won or lost)."""

    rows: np.ndarray
    discount: np.ndarray
    overforecast: np.ndarray
    pursuits_closed: np.ndarray  # (R, S)
    pulled: np.ndarray  # (R,) won deals booked early this month
    pulled_discount: np.ndarray  # (R,) sum of their discounts
    held: np.ndarray  # (R,) won deals held for the next period this month


class Pipeline:
    def __init__(self, scenario, market: Market, shape: tuple[int, int]):
        self.s, self.opp = scenario, market.opportunities
        self.shape = shape
        self.n_months = market.n_months
        # pursued opportunities not yet closed, by close month: lists of row arrays,
        # each in row order (so a month's closes keep every replication's own order)
        self.due: dict[int, list[np.ndarray]] = defaultdict(list)
        # what the rep brought to a pursuit, by month of pursuit and seat (columns
        # AT_PURSUIT): an opportunity finds its row by its arrival month and owner, so
        # pursuing writes nothing per opportunity
        flat = shape[0] * shape[1]
        self.at_pursuit = np.zeros((self.n_months, flat, len(AT_PURSUIT)), dtype=np.float32)
        self.held_for: dict[int, list[tuple]] = defaultdict(list)  # month -> (rows, d, o)
        self.open_count = np.zeros(shape)  # (R, S) pursued opportunities not yet closed
        self.held_acv = np.zeros(shape)  # (R, S) $ ACV of won deals held for later
        self.max_effort = scenario.max_effort
        self.record_expected = False  # belief world: keep each close's win probability
        self.expected: tuple | None = None  # (owner, P(booked), ACV) of the month's closes

    # --- pursuit --------------------------------------------------------------------

    def open(self, k: int, occupied, ramp, behavior, skill) -> None:
        """Pursue the opportunities arriving in month k."""
        opp, flat = self.opp, self.shape[0] * self.shape[1]
        owner = opp.arriving_in(k, "owner")  # flat (replication, seat) index
        effort = behavior.effort.ravel()
        # per seat first, then one gather per arrival; a vacant seat keeps nothing
        keep = np.where(occupied.ravel(), ramp.ravel() * effort / self.max_effort, 0.0)
        pursued = pursues(
            opp.arriving_in(k, "u_ramp"),
            opp.arriving_in(k, "fit"),
            True,
            keep[owner],
            behavior.fit_threshold.ravel()[owner],
        )
        chosen = np.flatnonzero(pursued)
        idx, owner = chosen + opp.arrival_offsets[k], owner[chosen]
        n_pursued = np.bincount(owner, minlength=flat)
        load = pursuit_load(n_pursued, effort, self.s)
        file_by_month(self.due, opp.close_months(idx, k), idx, horizon=self.n_months)
        brought = self.at_pursuit[k]
        for j, per_seat in enumerate((behavior.overforecast, behavior.discount, load, skill)):
            brought[:, j] = per_seat.ravel()
        self.open_count += n_pursued.reshape(self.shape)

    # --- closing --------------------------------------------------------------------

    def close(self, k: int, occupied, behavior, action, months_left, policies) -> Closed:
        """Close the month's pursued opportunities: pull and hold per `action` (R, S),
        decide wins at the discount of the rep in seat, and return the deals to book."""
        R, S = self.shape
        lv = self.s.behavior.levers
        natural = pop_due(self.due, k)
        pulled, months_pulled = (
            self._pull(k, action) if action is not None else (_empty(), _empty())
        )
        any_pulled = len(pulled) > 0
        rows = np.concatenate([natural, pulled]) if any_pulled else natural
        early = np.concatenate([np.zeros(len(rows) - len(pulled)), months_pulled])
        owner = self.opp.owner[rows]
        pursuits = np.bincount(owner, minlength=R * S).reshape(self.shape)
        self.open_count -= pursuits
        o, offered, load, skill = self._brought(rows, owner).T
        d = close_discount(
            np.where(occupied.ravel()[owner], behavior.discount.ravel()[owner], offered),
            early,
            policies,
            lv,
        )
        o = o.astype(float)
        key, fit = self.opp.key[rows], self.opp.fit[rows]
        p_win = world.win_probability(d, fit, skill, o, load, self.s.win)
        won = wins(key, p_win, early, lv)
        vetted = passes_veto(fit, policies)
        if self.record_expected:  # what a close is worth in expectation, not its luck
            booked = p_win * (1 - lv.pull_loss * early) * vetted
            self.expected = (owner, booked, self._acv(rows, d, o))
        # the success team vetoes deals below its fit bar: they are never booked
        won &= vetted
        rows, d, o, early = rows_where(won, rows, d, o, early)
        held = np.zeros(R)
        if action is not None:
            rows, d, o, early, held = self._hold(k, rows, d, o, early, action, months_left)
        released = self.held_for.pop(k, [])
        if released:
            back, back_d, back_o = (np.concatenate(part) for part in zip(*released, strict=True))
            self.held_acv -= self._by_seat(back, self._acv(back, back_d, back_o))
            rows, d, o = (
                np.concatenate([rows, back]),
                np.concatenate([d, back_d]),
                np.concatenate([o, back_o]),
            )
            early = np.concatenate([early, np.zeros(len(back))])
        if any_pulled:
            rep = self.opp.replication[rows]
            pulled_won = np.bincount(rep, weights=(early > 0) * 1.0, minlength=R)
            pulled_d = np.bincount(rep, weights=(early > 0) * d, minlength=R)
        else:
            pulled_won, pulled_d = np.zeros(R), np.zeros(R)
        return Closed(rows, d, o, pursuits, pulled_won, pulled_d, held)

    def _pull(self, k: int, action):
        """Pursued deals of pulling reps due within the pull horizon, and months pulled."""
        H = self.s.behavior.levers.pull_horizon_months
        pulling = (action == PULL).ravel()
        if not pulling.any():
            return _empty(), _empty()
        parts, months = [], []
        for ahead in range(1, min(H, self.n_months - 1 - k) + 1):
            rows = pop_due(self.due, k + ahead)
            pulled = pulling[self.opp.owner[rows]]
            self.due[k + ahead] = [rows[~pulled]]
            parts.append(rows[pulled])
            months.append(np.full(len(parts[-1]), float(ahead)))
        if not parts:
            return _empty(), _empty()
        return np.concatenate(parts).astype(_I), np.concatenate(months)

    def _hold(self, k, rows, d, o, early, action, months_left):
        """Hold the won deals of reps who push this month until the next period starts."""
        R = self.shape[0]
        owner = self.opp.owner[rows]
        lv = self.s.behavior.levers
        left = months_left.ravel()[owner]
        pushing = (action.ravel()[owner] == PUSH) & (left <= lv.push_horizon_months)
        if not pushing.any():
            return rows, d, o, early, np.zeros(R)
        slip = slips(self.opp.key[rows], left, lv)
        held = pushing & ~slip
        counted = np.bincount(self.opp.replication[rows[pushing]], minlength=R).astype(float)
        held_rows, held_d, held_o, held_left = rows_where(held, rows, d, o, left)
        file_by_month(self.held_for, k + held_left, (held_rows, held_d, held_o))
        self.held_acv += self._by_seat(held_rows, self._acv(held_rows, held_d, held_o))
        return *rows_where(~pushing, rows, d, o, early), counted

    def _brought(self, rows, owner) -> np.ndarray:
        """AT_PURSUIT of opportunities `rows` (owned by seats `owner`), (n, 4) float32."""
        at = self.opp.arrival_month[rows].astype(_I)
        at *= self.at_pursuit.shape[1]
        at += owner
        # a row of four float32 is one 16-byte item: taking those is several times
        # faster than fancy indexing on the first axis of a 2-d array
        as_items = self.at_pursuit.reshape(-1).view(np.complex128)
        return as_items.take(at).view(np.float32).reshape(-1, len(AT_PURSUIT))

    def _acv(self, rows, d, o) -> np.ndarray:
        return booked_value(self.opp.key[rows], self.s, d, o)

    def _by_seat(self, rows, values) -> np.ndarray:
        flat = np.bincount(
            self.opp.owner[rows], weights=values, minlength=self.shape[0] * self.shape[1]
        )
        return flat.reshape(self.shape)


# --- the decisions of one deal's life, shared with the events engine ------------------


def pursues(u_ramp, fit, in_seat, keep, fit_threshold) -> np.ndarray:
    """Whether arriving opportunities are pursued: the seat is filled, the thinning
    uniform is below `keep` (ramp x effort / highest effort) and fit clears the rep's
    threshold."""
    return in_seat & (u_ramp < keep) & (fit >= fit_threshold)


def pursuit_load(n_pursued, effort, scenario) -> np.ndarray:
    """Workload of a rep who pursued `n_pursued` opportunities in a month at `effort`
    (capacity scales with effort)."""
    capacity = scenario.reps.deal_capacity * np.maximum(effort, 1e-9)
    return world.workload(n_pursued, capacity)


def close_discount(offered, months_pulled, policies, levers) -> np.ndarray:
    """The discount a deal closes at: the one offered, capped by the deal desk, plus
    the extra discount per month a deal is pulled in."""
    d = np.minimum(offered, policies.max_discount)  # the deal desk
    return np.minimum(d + levers.pull_discount * months_pulled, 0.99)


def wins(key, p_win, months_pulled, levers) -> np.ndarray:
    """Won at close: the deal's own uniform below its win probability, unless pulling
    it in lost it (`pull_loss` per month pulled)."""
    won = keyed_uniform(key, DRAW["u_win"]) < p_win
    if np.any(months_pulled):  # a uniform below 0 x pull_loss never loses a deal: no draws
        won &= ~(keyed_uniform(key, DRAW["pull_loss"]) < levers.pull_loss * months_pulled)
    return won


def passes_veto(fit, policies) -> np.ndarray:
    """The success team vetoes won deals below its fit bar: they are never booked."""
    return fit >= policies.veto_fit_below


def booked_value(key, scenario, d, o) -> np.ndarray:
    """ACV the opportunities with keys `key` book at discount `d` and overforecast
    `o`, $/yr."""
    need = account_details(key, scenario, d).need
    return world.booked_acv(need, o, d)


def slips(key, months_held, levers) -> np.ndarray:
    """A won deal held for the next period slips away (`push_loss` per month held)."""
    return keyed_uniform(key, DRAW["push_loss"]) < levers.push_loss * months_held


def _empty() -> np.ndarray:
    return np.empty(0, dtype=_I)
