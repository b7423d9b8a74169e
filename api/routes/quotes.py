from fastapi import APIRouter

from api.deps import ServicesDep
from api.responses import responses
from api.schemas import QuoteCheckRequest, QuoteCheckResponse

router = APIRouter(tags=["quotes"])


@router.post("/quotes/check", response_model=QuoteCheckResponse, responses=responses(400, 409))
def check_quote(services: ServicesDep, request: QuoteCheckRequest) -> QuoteCheckResponse:
    """Where the archive says a quote: the original wording, a word diff, a verdict and the citation, best first."""
    return QuoteCheckResponse.of(request.quote, services.quotes.check(request.quote, k=request.k))
