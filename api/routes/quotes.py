"""`POST /quotes/check`: where the archive says a quotation, in which words."""

from fastapi import APIRouter

from api.auth import CallerDep
from api.deps import ServicesDep
from api.responses import responses
from api.schemas import QuoteCheckRequest, QuoteCheckResponse
from search.filters import SearchFilters

router = APIRouter(tags=["quotes"])


@router.post("/quotes/check", response_model=QuoteCheckResponse, responses=responses(400, 401, 409, 429))
def check_quote(services: ServicesDep, caller: CallerDep, request: QuoteCheckRequest) -> QuoteCheckResponse:
    """Where the archive says a quote: the original wording, a word diff, a verdict and the citation, best first."""
    return QuoteCheckResponse.of(
        request.quote, services.quotes.check(request.quote, k=request.k, filters=SearchFilters(caller=caller))
    )
