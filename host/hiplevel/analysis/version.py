"""Version of the analysis, stored with every analysed set so a clinician can tell which results
came from an older algorithm and `hiplevel reanalyze` knows what to redo.

The rule (docs/store.md): bump ANALYSIS_VERSION by one in the same commit as any change that can
change a stored result for the same recording and thresholds: a rep found or lost, a drop, side,
score, flag, neutral or roll trace, an advice, a default threshold. Refactors and speed-ups that leave
every result identical (the accuracy rows of `make bench` unchanged) keep the version. Say in the
commit message what changed, so the changelog can tell clinicians why their sessions were redone.
"""

ANALYSIS_VERSION: int = 1
