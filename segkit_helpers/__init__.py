"""segkit_helpers: the logic behind segkit's notebooks and command line.

One module per concern: ``config`` (paths, cycle configuration), ``data`` (loading
and cleaning inputs), ``readiness``, ``features`` (customer profile, RFM),
``segmentation``, ``validation``, ``monitoring``, ``deployment``, ``plots``,
``artefacts`` (atomic writes), ``report`` (HTML) and ``cycle``/``cli`` (running a cycle).
"""

__version__ = "0.1.0"
