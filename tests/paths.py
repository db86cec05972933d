"""Where the tests find the repository and the shared real-world data (../shared/data)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NEWSBOT_SHARED_DATA", ROOT.parent / "shared" / "data"))
HEADLINES = SHARED_DATA / "headlines" / "headlines-2021-11-to-2022-04.json"
CORPUS = SHARED_DATA / "feedparser-corpus"
