"""The CLI's number arguments: one factory (cli/common.number_arg), each with its own message."""

from __future__ import annotations

import argparse

import pytest

from codefloor.cli.common import positive_int_arg, score_arg, seconds_arg, token_count_arg, usd_arg


@pytest.mark.parametrize(("parse", "text", "value"), [
    (score_arg, "0", 0.0), (score_arg, "100", 100.0), (score_arg, "62.5", 62.5),
    (seconds_arg, "0.5", 0.5), (token_count_arg, "0", 0), (positive_int_arg, "1", 1), (usd_arg, "0", 0.0),
    (usd_arg, "2.5", 2.5),
])
def test_accepts(parse, text, value):
    assert parse(text) == value and type(parse(text)) is type(value)


@pytest.mark.parametrize(("parse", "text", "message"), [
    (score_arg, "high", "'high' is not a number; give a coding score from 0 to 100"),
    (score_arg, "101", "101 is out of range; give a coding score from 0 to 100"),
    (score_arg, "nan", "nan is out of range; give a coding score from 0 to 100"),
    (seconds_arg, "soon", "'soon' is not a number of seconds"),
    (seconds_arg, "0", "0: give a number of seconds above 0"),
    (seconds_arg, "nan", "nan: give a number of seconds above 0"),
    (token_count_arg, "1.5", "'1.5' is not a whole number of tokens"),
    (token_count_arg, "-1", "-1 tokens: give 0 or more"),
    (positive_int_arg, "two", "'two' is not a whole number"),
    (positive_int_arg, "0", "0: give 1 or more"),
    (usd_arg, "$5", "'$5' is not an amount in USD"),
    (usd_arg, "-1", "-1: give an amount of 0 or more"),
    (usd_arg, "inf", "inf: give an amount of 0 or more"),
    (usd_arg, "nan", "nan: give an amount of 0 or more"),
    (score_arg, "{text}", "'{text}' is not a number; give a coding score from 0 to 100"),  # braces stay as typed
])
def test_refuses_with_what_to_give(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        parse(text)
    assert str(caught.value) == message
