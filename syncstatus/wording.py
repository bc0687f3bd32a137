"""Counted nouns shown to people: "1 center", "2 centers", "1,204 documents". Importable without Streamlit."""

from __future__ import annotations

IRREGULAR = {"entry": "entries", "delivery": "deliveries", "summary": "summaries", "is": "are", "was": "were"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """The count with thousands separators and the noun in the right number (`many` for an irregular plural).

    Only the last word is inflected: plural(2, "sale order") == "2 sale orders".
    """
    n = int(count)
    if n == 1:
        return f"1 {noun}"
    if many is None:
        head, _, last = noun.rpartition(" ")
        last = IRREGULAR.get(last, last + "s")
        many = f"{head} {last}" if head else last
    return f"{n:,} {many}"
