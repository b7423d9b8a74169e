"""Dates as texts state them: in English, Russian and Kazakh prose, and as (partial) ISO 8601 in manifests.

A stated date may be a day ("5 May 2021"), a month ("March 2018") or a year; each is kept as the period it names
(first and last day) with its precision, so nothing more exact than the text is ever claimed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from archive.errors import InvalidInputError

DAY, MONTH, YEAR = "day", "month", "year"

_MONTH_STEMS: dict[str, int] = {}
for _number, _stems in enumerate(
    [
        ("january", "jan", "январ", "қаңтар"),
        ("february", "feb", "феврал", "ақпан"),
        ("march", "mar", "март", "наурыз"),
        ("april", "apr", "апрел", "сәуір"),
        ("may", "мамыр"),  # Russian мая/май/мае: see _month_number
        ("june", "jun", "июн", "маусым"),
        ("july", "jul", "июл", "шілде"),
        ("august", "aug", "август", "тамыз"),
        ("september", "sep", "sept", "сентябр", "қыркүйек"),
        ("october", "oct", "октябр", "қазан"),
        ("november", "nov", "ноябр", "қараша"),
        ("december", "dec", "декабр", "желтоқсан"),
    ],
    start=1,
):
    for _stem in _stems:
        _MONTH_STEMS[_stem] = _number

_EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
)
_RU_MONTH = r"(?:январ|феврал|март|апрел|ма[яйе]|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-яё]*"
_KK_MONTH = r"(?:қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан)[а-яёәіңғүұқөһ]*"
_MONTH = rf"(?P<month>{_EN_MONTH}|{_RU_MONTH}|{_KK_MONTH})"
_DAY = r"(?P<day>[0-3]?\d)"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_B, _E = r"(?<![\w.])", r"(?!\w)"

# Most specific first: a match's span is never matched again by a less specific pattern.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 2022 жылғы 12 наурыз / 2022 жылы 12 наурызда
    (re.compile(rf"{_B}{_YEAR}\s+жыл[а-яәіңғүұқөһ]*\s+{_DAY}\s+{_MONTH}{_E}", re.I), DAY),
    # 12.03.2022
    (re.compile(rf"{_B}{_DAY}\.(?P<month>[01]?\d)\.{_YEAR}{_E}"), DAY),
    # 5 May 2021 / 12 марта 2022 года / 12 наурыз 2022 ж.
    (re.compile(rf"{_B}{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}{_E}", re.I), DAY),
    # May 5, 2021
    (re.compile(rf"{_B}{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}{_E}", re.I), DAY),
    # 2022 жылғы наурыз / 2022 жылы наурызда
    (re.compile(rf"{_B}{_YEAR}\s+жыл[а-яәіңғүұқөһ]*\s+{_MONTH}{_E}", re.I), MONTH),
    # March 2018 / в марте 2018 года
    (re.compile(rf"{_B}{_MONTH},?\s+{_YEAR}{_E}", re.I), MONTH),
]


@dataclass(frozen=True, order=True)
class StatedDate:
    """A period a text names: `start`..`end` (inclusive), as precise as `precision` (day, month or year)."""

    start: date
    end: date
    precision: str

    @property
    def iso(self) -> str:
        """ISO 8601 at the stated precision: 2021-05-05, 2021-05 or 2021; an interval as start/end."""
        natural = _natural(self.start, self.precision)
        if natural is not None and natural.end == self.end:
            return _iso(self.start, self.precision)
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    def label(self) -> str:
        """For people: "5 May 2021", "May 2021", "2021", or "31 January – 29 February 2020"."""
        natural = _natural(self.start, self.precision)
        if natural is not None and natural.end == self.end:
            return _label(self.start, self.precision)
        return f"{_label(self.start, DAY)} – {_label(self.end, DAY)}"


@dataclass(frozen=True)
class DateMention:
    """A date found in a text: where (offsets into the text) and what it names."""

    char_start: int
    char_end: int
    date: StatedDate


def period(start: date | None, end: date | None) -> StatedDate | None:
    """The stated date of a stored (start, end) pair; a missing end means the day itself."""
    if start is None:
        return None
    end = end or start
    for precision in (DAY, MONTH, YEAR):
        natural = _natural(start, precision)
        if natural is not None and natural.end == end:
            return natural
    return StatedDate(start, end, DAY)


def parse_iso(value: str) -> StatedDate:
    """ "2021-05-05", "2021-05", "2021" or an interval "2020-01-31/2020-02-29" (as manifests state dates)."""
    value = value.strip()
    try:
        if "/" in value:
            first, last = (parse_iso(part) for part in value.split("/", 1))
            if last.end < first.start:
                raise ValueError("the interval ends before it starts")
            return StatedDate(first.start, last.end, DAY)
        parts = [int(part) for part in value.split("-")]
        if len(parts) == 1:
            return StatedDate(date(parts[0], 1, 1), date(parts[0], 12, 31), YEAR)
        if len(parts) == 2:
            return _month(parts[0], parts[1])
        if len(parts) == 3:
            day = date(*parts)
            return StatedDate(day, day, DAY)
    except ValueError as error:
        raise InvalidInputError(f"{value!r} is not a date (YYYY, YYYY-MM, YYYY-MM-DD or START/END): {error}") from error
    raise InvalidInputError(f"{value!r} is not a date (YYYY, YYYY-MM, YYYY-MM-DD or START/END)")


def find_dates(text: str) -> list[DateMention]:
    """The dates a text states with their year, in order of appearance (days and months, in en, ru and kk)."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern, precision in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            stated = _from_match(match, precision)
            if stated is not None:
                found.append(DateMention(match.start(), match.end(), stated))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda mention: mention.char_start)


def _from_match(match: re.Match[str], precision: str) -> StatedDate | None:
    year = int(match.group("year"))
    month = _month_number(match.group("month"))
    if month is None:
        return None
    try:
        if precision == MONTH:
            return _month(year, month)
        day = date(year, month, int(match.group("day")))
    except ValueError:
        return None  # 31 June: not a date
    return StatedDate(day, day, DAY)


def _month_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    word = word.lower().rstrip(".")
    if re.fullmatch(r"ма[яйе]", word):
        return 5
    for length in range(len(word), 2, -1):
        number = _MONTH_STEMS.get(word[:length])
        if number is not None:
            return number
    return None


def _month(year: int, month: int) -> StatedDate:
    return StatedDate(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), MONTH)


def _natural(start: date, precision: str) -> StatedDate | None:
    if precision == DAY:
        return StatedDate(start, start, DAY)
    if precision == MONTH and start.day == 1:
        return _month(start.year, start.month)
    if precision == YEAR and (start.month, start.day) == (1, 1):
        return StatedDate(start, date(start.year, 12, 31), YEAR)
    return None


def _iso(day: date, precision: str) -> str:
    return {DAY: day.isoformat(), MONTH: day.isoformat()[:7], YEAR: str(day.year)}[precision]


def _label(day: date, precision: str) -> str:
    month = calendar.month_name[day.month]
    return {DAY: f"{day.day} {month} {day.year}", MONTH: f"{month} {day.year}", YEAR: str(day.year)}[precision]
