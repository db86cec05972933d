"""Text: cleaning, summaries, quotes with speakers, story fingerprints."""
