"""Dates stated in English, Russian and Kazakh text, and partial ISO dates of manifests."""

from __future__ import annotations

from datetime import date

import pytest

from archive.errors import InvalidInputError
from indexing.dates import DAY, MONTH, YEAR, find_dates, parse_iso, period


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("On 5 May 2021 the court ruled.", "5 May 2021"),
        ("He was detained on May 5, 2021, in Almaty.", "May 5, 2021"),
        ("12 марта 2022 года суд вынес приговор.", "12 марта 2022"),
        ("Суд состоялся 3 мая 2019 г. в Алматы.", "3 мая 2019"),
        ("2022 жылғы 12 наурыз күні сот үкім шығарды.", "2022 жылғы 12 наурыз"),
        ("Ол 2020 жылы 15 қаңтарда ұсталды.", "2020 жылы 15 қаңтарда"),
        ("Приговор от 12.03.2022 обжалован.", "12.03.2022"),
    ],
)
def test_days_are_found_in_three_languages(text: str, stated: str) -> None:
    found = find_dates(text)
    assert len(found) == 1
    mention = found[0]
    assert text[mention.char_start : mention.char_end] == stated
    assert mention.date.precision == DAY and mention.date.start == mention.date.end


def test_the_same_day_in_three_languages_is_the_same_date() -> None:
    texts = ["on 12 March 2022", "12 марта 2022 года", "2022 жылғы 12 наурыз"]
    assert {find_dates(text)[0].date.start for text in texts} == {date(2022, 3, 12)}


def test_months_keep_their_precision_and_days_without_a_year_are_not_dates() -> None:
    found = find_dates("Banned in March 2018; в марте 2019 года; 2020 жылғы мамырда. The court met on August 4.")
    assert [(m.date.iso, m.date.precision) for m in found] == [
        ("2018-03", MONTH),
        ("2019-03", MONTH),
        ("2020-05", MONTH),
    ]
    assert found[0].date.end == date(2018, 3, 31)


def test_impossible_days_are_not_reported_as_days() -> None:
    assert all(m.date.precision != DAY for m in find_dates("on 31 June 2020 and 30.02.2021"))


def test_iso_dates_at_each_precision_and_intervals() -> None:
    assert parse_iso("2021") == period(date(2021, 1, 1), date(2021, 12, 31))
    assert parse_iso("2021").precision == YEAR and parse_iso("2021").label() == "2021"
    assert parse_iso("2020-02").end == date(2020, 2, 29) and parse_iso("2020-02").label() == "February 2020"
    interval = parse_iso("2020-01-31/2020-02-29")
    assert interval.iso == "2020-01-31/2020-02-29"
    assert (interval.start, interval.end) == (date(2020, 1, 31), date(2020, 2, 29))
    assert period(interval.start, interval.end) == interval
    assert period(date(2021, 5, 5), None).iso == "2021-05-05"


@pytest.mark.parametrize("value", ["2021-13", "20x1", "2021-02-30", "2021-03/2021-01"])
def test_bad_iso_dates_are_refused_with_the_value(value: str) -> None:
    with pytest.raises(InvalidInputError, match="is not a date|ends before"):
        parse_iso(value)
