"""The report: figures, HTML pages and the cycle index."""
