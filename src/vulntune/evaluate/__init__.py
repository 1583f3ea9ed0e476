"""Evaluation: metrics and intervals, twin metrics, external suites, reports and plots.

`vulntune.evaluate.run` turns a detector and samples into the metrics dict;
`vulntune.evaluate.suite` scores OWASP-Benchmark-style suites; `report` and `plots` render both.
"""
