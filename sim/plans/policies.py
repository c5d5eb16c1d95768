"""Policies: rules that are not pay but shape the deals that pay is earned on."""

from __future__ import annotations

from typing import Literal

from sim.params import Section, param


class Policies(Section):
    """Deal desk, ICP enforcement and who is credited with a renewal."""

    max_discount: float = param(
        1.0, "fraction of list", "deal-desk limit: no deal is discounted beyond this", ge=0, le=1
    )
    veto_fit_below: float = param(
        0.0,
        "fit score",
        "the success team vetoes (never books) won deals below this fit",
        ge=0,
        le=1,
    )
    renewal_credit: list[Literal["ae", "csm"]] = param(
        ["ae"], "roles", "roles credited with each renewal (both: source 001's overlap)"
    )
