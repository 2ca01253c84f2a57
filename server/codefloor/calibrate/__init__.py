"""`codefloor calibrate`: measure a model on the Aider polyglot exercises, on the pass_rate_2 scale.

exercises  the 225 exercises, read from the bundled tarball (data/SOURCE.md: origin and license)
runners    per language: the offline test command, and why it cannot run on this machine
sandbox    one test run: fresh directory, limits, no network, everything killed afterwards
protocol   Aider's whole-file protocol: prompt, answer parsing, two tries, the tests after each
engine     a run: the model pinned through the router, jobs, budget, resumable results, the record
scores     calibrations.json and the hook that puts measured scores on catalog cards
"""
