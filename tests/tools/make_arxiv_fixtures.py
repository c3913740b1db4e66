"""Write the synthetic-format, real-content arXiv fixtures in tests/fixtures/arxiv/.

    python -m tests.tools.make_arxiv_fixtures

Content comes from real records in tests/fixtures/arxiv-papers-labeled.jsonl; the documents are
rendered in arXiv's published formats by the fake server's renderers (RSS 2.0 per
info.arxiv.org/help/rss_specifications, the API's Atom answer like the recorded fixtures).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

from tests.servers.arxiv_server import api_xml, labeled_papers, rss_feed_xml
from triagebot.models import Paper

ROOT = Path(__file__).resolve().parents[1] / "fixtures"
OUT = ROOT / "arxiv"
FEED_DATE = datetime(2025, 3, 26, tzinfo=timezone(timedelta(hours=-4)))
DAY = "2025-03-26"

# arXiv id -> (announce type, version, categories as listed)
ANNOUNCED = {
    "2503.19357": ("new", 1, ("cs.CV",)),
    "2503.18325": ("new", 1, ("cs.CV", "cs.AI")),
}


def build() -> dict[str, bytes]:
    papers = labeled_papers(
        ROOT / "arxiv-papers-labeled.jsonl",
        start=datetime(2025, 3, 24, 17, tzinfo=UTC),
        step=timedelta(minutes=7),
    )
    by_id = {p.arxiv_id: p for p in papers}
    latex = next(p for p in papers if "$" in p.abstract and p.arxiv_id not in ANNOUNCED)
    commented = [p for p in papers if p.comment and "http" in p.comment and p.arxiv_id not in ANNOUNCED]
    plain = [p for p in papers if p.arxiv_id not in ANNOUNCED and p not in commented and p is not latex]
    feed: list[Paper] = [
        by_id[i].model_copy(update={"announce_type": kind, "version": v, "categories": cats})
        for i, (kind, v, cats) in ANNOUNCED.items()
    ]
    feed.append(latex.model_copy(update={"announce_type": "new", "categories": ("cs.CV",)}))
    feed.append(commented[0].model_copy(update={"announce_type": "new", "categories": ("cs.CV", "cs.LG")}))
    feed.append(
        plain[0].model_copy(
            update={"announce_type": "cross", "primary_category": "cs.LG", "categories": ("cs.LG", "cs.CV")}
        )
    )
    feed.append(
        plain[1].model_copy(update={"announce_type": "replace", "version": 2, "categories": ("cs.CV",)})
    )
    feed.append(
        plain[2].model_copy(
            update={"announce_type": "replace-cross", "version": 3, "categories": ("eess.IV", "cs.CV")}
        )
    )
    kept = [p for p in feed if p.announce_type in ("new", "cross")]
    ids = ",".join(p.arxiv_id for p in kept)
    query = urlencode(
        {
            "search_query": "",
            "id_list": ids,
            "sortBy": "relevance",
            "sortOrder": "descending",
            "start": 0,
            "max_results": 100,
        }
    )
    lookup = [p.model_copy(update={"announce_type": None}) for p in kept]
    wrapper = {
        "url": f"https://export.arxiv.org/api/query?{query}",
        "status_code": 200,
        "body": api_xml(lookup, per_page=100).decode("utf-8"),
    }
    return {
        f"arxiv_rss2_cs.CV_{DAY}.xml": rss_feed_xml(feed, ["cs.CV"], FEED_DATE),
        f"arxiv_api_idlist_cs.CV_{DAY}.json": (
            json.dumps(wrapper, ensure_ascii=False, indent=1) + "\n"
        ).encode(),
        "arxiv_rss2_cs.CV_empty_2025-03-29.xml": rss_feed_xml(
            [], ["cs.CV"], datetime(2025, 3, 29, tzinfo=timezone(timedelta(hours=-4)))
        ),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
