"""The synthetic corpus generator: template registry, language renderers, verify, dedup, split."""
