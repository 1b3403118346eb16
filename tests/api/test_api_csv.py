"""CSV cells that a spreadsheet would run as a formula are escaped; numbers stay numbers."""

import math

import numpy as np
import pytest

from portal.core.api.renderers import CSVRenderer
from portal.core.csvwriter import csv_cell, csv_text


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_it_escapes_text_that_starts_like_a_formula(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value, expected", [(-3.5, "-3.5"), (0, "0"), (None, ""), (True, "true"), ("Boxtown", "Boxtown")])
def test_it_leaves_numbers_and_plain_text_alone(value, expected):
    assert csv_cell(value) == expected


@pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("inf")])
def test_a_value_that_is_not_available_is_an_empty_cell_never_nan_or_zero(value):
    assert csv_cell(value) == ""


@pytest.mark.parametrize("value, expected", [(np.float64(1.5), "1.5"), (np.float32(0.5), "0.5"), (np.int64(3), "3")])
def test_numpy_numbers_are_written_as_plain_numbers(value, expected):
    assert csv_cell(value) == expected


def test_it_writes_nested_data_as_json():
    assert csv_cell({"a": [1, 2]}) == '{"a":[1,2]}'


def test_it_quotes_commas_and_newlines():
    assert csv_text(["note"], [["a, b\nc"]]) == 'note\r\n"a, b\nc"\r\n'


def test_the_renderer_escapes_a_single_object():
    body = CSVRenderer().render({"title": "=cmd|' /C calc'!A0", "value": -1}).decode()
    assert body.splitlines()[1] == "'=cmd|' /C calc'!A0,-1"


@pytest.mark.django_db
def test_an_injected_scenario_name_is_escaped_in_the_export(memphis, api, csv_rows):
    memphis.scenarios.update(description="=IMPORTXML(\"http://evil\")")
    rows = csv_rows(api.get("/api/v1/scenarios/", {"format": "csv"}))
    column = rows[0].index("description")
    assert all(row[column].startswith("'=") for row in rows[1:])
