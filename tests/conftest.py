import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = Path(os.environ.get("AUTOFIX_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(autouse=True, scope="session")
def _isolated_caches(tmp_path_factory):
    """Tests see the bundled catalog, never a user's refreshed one, and write no result cache
    into the working tree."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    mp.setenv("AUTOFIX_CACHE_DIR", str(tmp_path_factory.mktemp("autofix-cache")))
    yield
    mp.undo()
