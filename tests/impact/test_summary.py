"""The plain-language summary quotes a comparison only when the run has it, linked to its row."""

from types import SimpleNamespace

from impact import summary


def metrics(**values):
    return {key: SimpleNamespace(value=value) for key, value in values.items()}


def test_the_comparisons_are_quoted_with_their_rows_and_left_out_when_missing():
    quoted = {"comparisons": [{"key": "tn_households_electricity", "value": 41_234.0},
                              {"key": "passenger_cars_co2e", "value": 1_250.0}]}
    figures = metrics(energy_facility_mwh=12_345.0, co2e_total_t=5_678.0)
    energy, co2e = summary.sentences("July 2025", figures, quoted)
    assert "— as much as 41,234 Tennessee homes use over the same time." in energy.text
    assert "comparison-tn_households_electricity" in energy.anchors
    assert "about what 1,250 passenger cars emit over the same time." in co2e.text
    assert "comparison-passenger_cars_co2e" in co2e.anchors

    energy, co2e = summary.sentences("July 2025", figures, {"comparisons": [{"key": "passenger_cars_co2e", "value": None}]})
    assert energy.text == "In July 2025 the site used 12,345 MWh of electricity, as delivered by the grid, its gas " \
                          "generators and its batteries."
    assert co2e.anchors == ("metric-co2e_total_t",)
