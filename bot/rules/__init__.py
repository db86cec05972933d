"""Watch rules: their schema, the compiled one-pass matcher, and rules derived from articles."""
