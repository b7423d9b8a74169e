"""One search request: the query, its filters and its page, described by one model for every way of asking.

The API routes (search, export, saved searches), the web page, the CLI and the MCP tool all read a search as a
`SearchRequest`: the same names, bounds and messages, one rule for pages (`page` wins over `offset`) and one way
back to query parameters for links that keep the search. FastAPI reads the model from the query string; everything
else calls `SearchRequest.parse`, which raises `InvalidInputError` with the reasons a person reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal, Self

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from archive.access import Caller
from archive.errors import InvalidInputError
from archive.ids import MAX_ID, Digits
from language.scripts import Language
from search.filters import SearchFilters
from search.searcher import MAX_K, MAX_OFFSET, MAX_QUERY_CHARS, Searcher, SearchPage
from search.validation import require_text

DEFAULT_K = 10
FILTERS = ("document_id", "person", "language", "published_from", "published_to", "undated", "kind")


class SearchQuery(BaseModel):
    """What is asked: a query and the filters that narrow it (what a saved search follows)."""

    model_config = ConfigDict(frozen=True)

    q: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS, description="A question or words, any language")]
    document_id: Annotated[
        int | None, Ge(1), Le(MAX_ID), Digits, Field(description="Only passages of this document")
    ] = None
    person: Annotated[
        str | None,
        Field(
            max_length=200,
            description="Only passages that mention this person (id or name, any script); empty: no person filter",
        ),
    ] = None
    language: Annotated[Language | None, Field(description="Only passages in this language (as results report it)")] = (
        None
    )
    published_from: Annotated[
        date | None, Field(description="Only documents whose stated date reaches on or after this day")
    ] = None
    published_to: Annotated[date | None, Field(description="Only documents whose stated date begins on or before")] = (
        None
    )
    undated: Annotated[
        Literal["include", "exclude"] | None,
        Field(description="With a date filter: include undated documents too, or leave them out (the default)"),
    ] = None
    kind: Annotated[str | None, Field(max_length=100, description="Only documents of this kind, e.g. news article")] = (
        None
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_means_unset(cls, data: Any) -> Any:
        """A form sends every field, the empty ones as "": those mean "not set"; the query's spaces are folded."""
        if not isinstance(data, Mapping):
            return data
        cleaned = {key: value for key, value in data.items() if not (isinstance(value, str) and not value.strip())}
        for key in ("person", "kind"):  # words are trimmed; numbers and dates are taken as written
            if isinstance(cleaned.get(key), str):
                cleaned[key] = cleaned[key].strip()
        if isinstance(cleaned.get("q"), str):
            cleaned["q"] = " ".join(cleaned["q"].split())
        return cleaned

    @classmethod
    def parse(cls, values: Mapping[str, object]) -> Self:
        """The request `values` describe (strings from a form or command line, or typed values); a clear
        `InvalidInputError` naming each field that is wrong."""
        values = dict(values)
        if values.get("q") is None or isinstance(values["q"], str):  # the searcher's own words for the query
            values["q"] = require_text(" ".join(str(values.get("q") or "").split()), "query", MAX_QUERY_CHARS)
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, problem['loc'])) or 'request'}: {problem['msg']}" for problem in error.errors()
            )
            raise InvalidInputError(problems) from None

    def filters(self, caller: Caller) -> SearchFilters:
        """The filters to search with, for `caller` (a filter that contradicts itself raises InvalidInputError)."""
        return SearchFilters(**{name: getattr(self, name) for name in FILTERS}, caller=caller)

    def params(self, **changes: object) -> dict[str, str]:
        """The request as query parameters (those set, with `changes`), for links and exports that keep it."""
        values = {**self.model_dump(exclude_none=True, exclude_defaults=True), "q": self.q, **changes}
        return {
            key: value.isoformat() if isinstance(value, date) else str(value)
            for key, value in values.items()
            if value is not None
        }


class SearchRequest(SearchQuery):
    """A search as asked: what is asked, and which page of how many results."""

    k: Annotated[int, Ge(1), Le(MAX_K), Digits, Field(description="How many results (per page)")] = DEFAULT_K
    offset: Annotated[int, Ge(0), Le(MAX_OFFSET), Digits, Field(description="Skip this many results (paging)")] = 0
    page: Annotated[
        int | None,
        Ge(1),
        Le(MAX_OFFSET + 1),
        Digits,
        Field(description="1-based page of k results; sets offset = (page - 1) * k"),
    ] = None

    @property
    def start(self) -> int:
        """How many results come before this page."""
        return (self.page - 1) * self.k if self.page is not None else self.offset

    @property
    def page_number(self) -> int:
        return self.start // self.k + 1

    def run(self, searcher: Searcher, caller: Caller) -> SearchPage:
        """This page of results, for `caller`."""
        return searcher.search_page(self.q, k=self.k, offset=self.start, filters=self.filters(caller))
