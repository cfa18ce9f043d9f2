"""The project keeps the five articles byte for byte, each beside its annotation."""


import pytest

from kg.paths import SEEDS
from support import ROOT

SHARED = ROOT.parent / "shared" / "seeds"


def test_every_article_has_an_annotation_file():
    texts = sorted(SEEDS.glob("*.txt"))
    assert len(texts) == 5
    for text in texts:
        assert text.with_suffix(".yaml").is_file(), text


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/seeds is not beside the project")
def test_articles_are_byte_identical_to_the_shared_seeds():
    shared = sorted(SHARED.glob("*.txt"))
    assert shared, "no shared seeds found"
    for original in shared:
        assert (SEEDS / original.name).read_bytes() == original.read_bytes(), original.name
