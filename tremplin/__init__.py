"""Tremplin: young people and industrial trades in Auvergne-Rhône-Alpes.

The package follows the data flow: ``sources`` read official files, ``store`` keeps them in one
relational schema, ``referentials`` tie codes together, analyses build on them, and ``cli`` and
``web`` are thin interfaces.
"""

__version__ = "0.1.0"
