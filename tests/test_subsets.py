"""`sim.subsets` selects the same rows as boolean indexing, for any mask."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.subsets import rows_where, split_where


@given(arrays(np.bool_, st.integers(0, 50)), st.integers(0, 2**32 - 1))
def test_rows_where_is_boolean_indexing(mask, seed):
    rng = np.random.default_rng(seed)
    n = len(mask)
    columns = (
        rng.random(n),
        rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False),
        rng.random((n, 3)).astype(np.float32),  # rows of a 2-d table
    )
    for picked, column in zip(rows_where(mask, *columns), columns, strict=True):
        assert picked.dtype == column.dtype
        np.testing.assert_array_equal(picked, column[mask])
    ids = np.arange(n, dtype=np.int64) * 7
    kept, lost = split_where(mask, ids)
    np.testing.assert_array_equal(kept, ids[mask])
    np.testing.assert_array_equal(lost, ids[~mask])
