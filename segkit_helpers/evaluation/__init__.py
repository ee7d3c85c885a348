"""The test step: statistics, stability, differences between segments, hypotheses, experiments, review."""
