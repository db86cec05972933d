"""The poll pass: scheduler ticks, one feed at a time fetch → parse → match → record."""
