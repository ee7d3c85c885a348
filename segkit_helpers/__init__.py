"""segkit_helpers: the logic behind segkit's notebooks and command line.

One module per concern: ``config`` (paths, cycle configuration), ``context`` (where a
notebook reads and writes), ``sources`` (files and databases as DuckDB relations),
``data`` (typing, checking and cleaning order lines in DuckDB), ``readiness``,
``features`` (customer profile: RFM, persona metrics, value, loyalty), ``clv``
(BG/NBD and Gamma–Gamma), ``segmentation``, ``validation``, ``monitoring``,
``deployment``, ``plots``, ``artefacts`` (atomic writes), ``report`` (HTML) and
``cycle``/``cli`` (running a cycle).
"""

__version__ = "0.1.0"
