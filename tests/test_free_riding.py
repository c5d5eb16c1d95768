"""Free-riding: how a rep weighing a unilateral deviation sees results it shares.

Closed forms: with peers held at the population's result L, a rep whose strategy
alone would make the company's result X sees L + (X - L) / n_reps (its share of
the move), and a team result L + (X - L) / team_size. The population's result
under a mix of strategies is the mix-weighted mean of each strategy's result.
"""

import numpy as np
import pytest
from helpers import small_scenario

from sim.choice_model import PeersAtPopulation, population_levels


@pytest.fixture(scope="module")
def scenario():
    return small_scenario(company={"n_reps": 10, "team_size": 5})


def test_a_deviating_rep_moves_a_company_result_by_its_share(scenario):
    peers = PeersAtPopulation(scenario, {"csat@company": 0.8, "csat@team": 0.8})
    peers.start_block(G=1, n=2)
    measured = np.array([[0.9, 0.9], [0.7, 0.7]])  # two markets, both seats alike
    seen = peers("csat", "company", measured)
    assert seen == pytest.approx(np.array([[0.81, 0.81], [0.79, 0.79]]))
    assert peers("csat", "team", measured) == pytest.approx(0.8 + (measured - 0.8) / 5)


def test_the_first_round_sees_results_as_measured_and_individual_results_untouched(scenario):
    peers = PeersAtPopulation(scenario, None)
    peers.start_block(G=1, n=1)
    result = np.array([0.9])
    assert peers("team_bonus.new_arr", "company", result) is result


def test_population_result_is_the_mix_weighted_mean_of_each_strategys_result(scenario):
    peers = PeersAtPopulation(scenario, None)
    peers.recording = True
    # three strategies, two markets each; strategy 1 never measured (no survey answers)
    peers.start_block(G=3, n=2)
    peers("csat", "company", np.array([0.6, 0.8, np.nan, np.nan, 0.9, 1.0]))
    by = peers.by_strategy(markets=2)["csat@company"]
    assert by[0] == pytest.approx(0.7) and np.isnan(by[1]) and by[2] == pytest.approx(0.95)
    levels = population_levels(peers, 2, mix=np.array([0.25, 0.5, 0.25]))
    assert levels["csat@company"] == pytest.approx((0.25 * 0.7 + 0.25 * 0.95) / 0.5)
    # a second block of markets: only the first `markets` of each strategy count
    peers.start_block(G=3, n=1)
    peers("csat", "company", np.array([0.0, 0.0, 0.0]))
    assert peers.by_strategy(markets=2)["csat@company"][0] == pytest.approx(0.7)
    assert peers.by_strategy(markets=3)["csat@company"][0] == pytest.approx(1.4 / 3)
