"""Reciprocal rank fusion of ranked candidate lists."""

from collections.abc import Sequence

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[tuple[int, float]]], weights: Sequence[float], k: int = RRF_K
) -> list[tuple[int, float]]:
    """Fuse ranked (id, score) lists: each id scores sum(weight / (k + rank)); best first, ties by id."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, (item_id, _score) in enumerate(ranking, start=1):
            fused[item_id] = fused.get(item_id, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
