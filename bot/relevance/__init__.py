"""Learned relevance: a model per rule scores its candidates; boolean rules stay the explanation."""
