"""The one Jinja environment every HTML answer is rendered with: the web pages and the error page alike."""

from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

from api.links import template_url_for
from indexing.dates import period
from indexing.titles import shortened

# Autoescaping always on: document text, titles and queries are data, never markup.
TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "web" / "templates"), autoescape=True)
)
TEMPLATES.env.filters["stated_date"] = lambda document: period(document.published, document.published_end)
TEMPLATES.env.filters["shortened"] = shortened  # a long title in a narrow list, cut between words
TEMPLATES.env.globals["url_for"] = template_url_for  # paths, never absolute URLs from the Host header
