"""Quote check: given a quote, find where the archive says it, how the wording differs, and what it means."""

from search.quotes.checker import MAX_MATCHES, MAX_QUOTE_CHARS, QuoteChecker, QuoteMatch
from search.quotes.verdict import Verdict

__all__ = ["MAX_MATCHES", "MAX_QUOTE_CHARS", "QuoteChecker", "QuoteMatch", "Verdict"]
