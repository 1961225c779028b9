"""standoff: build a knowledge graph of a dispute story, every claim tied to the words that support it.

The library API lives in the modules of this package; :mod:`kg.cli` is a thin command line over it.
"""

__version__ = "0.1.0"
