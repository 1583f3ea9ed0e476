"""Learn from the user's triage: findings they dismissed or confirmed become labelled code.

`records` reads the marks users already make (a JSON report whose findings carry `status`, SARIF
`suppressions` and `baselineState`, inline `vulntune: ignore` comments) into triage records,
`review` is the interactive review behind `vulntune triage`, and `adapt` fine-tunes a judge on
the records (`vulntune train --from-triage`). Nothing leaves the machine. See docs/triage.md.
"""
