"""segkit_helpers: the logic behind segkit's notebooks and command line.

Shaped like the cycle: ``steps`` (one module per notebook, the only thing a notebook imports),
over ``io`` (config, sources, artefacts), ``research``, ``schemes``, ``evaluation``,
``monitoring``, ``deploy``, ``report`` (pages, sentences, figures) and ``datasets`` (synthetic
data); ``cycle`` and ``cli`` run a whole cycle. README's "Layout" lists every module.
"""

__version__ = "0.1.0"
