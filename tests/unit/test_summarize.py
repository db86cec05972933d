"""Extractive summaries: lead-aware, never the title again, within limits, sentence-safe."""

from __future__ import annotations

from pathlib import Path

from bot.text.sentences import split_sentences
from bot.text.summarize import jaccard, summarize

SEED = Path(__file__).resolve().parents[2] / "seeds" / "lavrov-no-pause-2022-04-11.txt"


def test_seed_summary_says_no_pause_during_talks() -> None:
    title, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    summary = summarize(title.strip(), body)
    lowered = summary.lower()
    assert "does not plan to pause" in lowered and "peace talks" in lowered
    assert len(summary) <= 600
    assert 2 <= len(split_sentences(summary)) <= 3
    assert "Author:" not in summary and "@decampdave" not in summary


def test_never_repeats_the_title() -> None:
    title = "Ukraine offers draft peace deal at talks in Turkey"
    text = (
        "Ukraine offers a draft peace deal at talks in Turkey.\n"
        "The proposal would give up plans to join NATO in exchange for security guarantees.\n"
        "Russia's delegation said it would study the document and reply within days."
    )
    summary = summarize(title, text)
    assert all(jaccard(s.text, title) < 0.6 for s in split_sentences(summary))
    assert summary.startswith("The proposal")


def test_respects_max_chars_and_max_sentences() -> None:
    text = (
        "Russian forces shelled Kharkiv overnight, regional officials reported on Tuesday. "
        "Ukraine's army said it repelled six attacks near Izium and destroyed several tanks. "
        "Negotiators from both sides spoke by video link but agreed on nothing new. "
        "Prices for wheat climbed again on fears about the spring planting season. "
        "Aid agencies asked for safe corridors to evacuate civilians from Mariupol."
    )
    assert len(split_sentences(summarize("", text, max_sentences=2))) == 2
    assert len(summarize("", text, max_chars=120)) <= 120
    long_one = "word " * 300 + "end."
    short = summarize("", long_one, max_chars=100)
    assert len(short) <= 100 and short.endswith("…")


def test_empty_inputs() -> None:
    assert summarize("Title", "") == ""
    assert summarize("Title", "Title") == ""


def test_sentence_splitter_handles_abbreviations_and_quotes() -> None:
    text = (
        "U.S. officials met Mr. Smith on Feb. 24 in Washington. He said: “We are ready.” "
        "Then Gen. J. Doe left."
    )
    sentences = [s.text for s in split_sentences(text)]
    assert sentences == [
        "U.S. officials met Mr. Smith on Feb. 24 in Washington.",
        "He said: “We are ready.”",
        "Then Gen. J. Doe left.",
    ]
    for span in split_sentences(text):
        assert text[span.start : span.end] == span.text


def test_a_quote_of_several_sentences_is_cut_out_and_its_attribution_kept() -> None:
    quote = (
        "Today, leaders agreed that we will send more support to Ukraine. We will keep "
        "imposing unprecedented costs on Russia. And we will reinforce the alliance's defences"
    )
    text = (
        "The alliance says it will do more for Ukraine as the war enters a second month.\n"
        f'"{quote}," the secretary general told reporters after an extraordinary summit in '
        "Brussels on Thursday."
    )
    summary = summarize("Allies pledge more support", text, avoid=[quote])
    assert "unprecedented costs" not in summary and "reinforce" not in summary
    assert "Today, leaders agreed" not in summary
    assert "The secretary general told reporters after an extraordinary summit" in summary
    assert "do more for Ukraine as the war enters a second month." in summary


def test_the_reporters_own_echo_of_a_quote_is_not_cut() -> None:
    quote = "we will send more support to Ukraine whatever it takes"
    text = (
        "Leaders said they will send more support to Ukraine whatever it takes, at a summit.\n"
        f'"{quote.capitalize()}," the secretary general said.'
    )
    summary = summarize("Summit ends", text, avoid=[quote])
    assert summary.startswith("Leaders said they will send more support to Ukraine whatever")
    assert "secretary general said" not in summary  # nothing but the attribution is left
