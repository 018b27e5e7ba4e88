"""The store's table of every dataset the readers know: ``src_<dataset>``, one column per read or
derived column, typed after its kind."""

from __future__ import annotations

import sqlalchemy as sa

from tremplin.sources.registry import DATASETS
from tremplin.sources.spec import Dataset
from tremplin.store.schema import dataset_table


def _table(dataset: Dataset) -> sa.Table:
    return dataset_table(
        dataset.table_name, [(name, kind.value) for name, kind in dataset.stored_columns()]
    )


DATASET_TABLES: dict[str, sa.Table] = {d.name: _table(d) for d in DATASETS}
"""Dataset name → its table in the store."""
