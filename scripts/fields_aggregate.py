"""Snakemake adapter: sum the SFS shards' histograms (exact integers) and collect summaries."""

import pandas as pd

from kasglass.io import read_tables, setup_logging, write_table

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
hist = read_tables(sm.input.hist)
keys = ["alpha", "L", "ensemble", "block", "bin"]
counts = (
    hist.groupby(keys, sort=True)
    .agg(count=("count", "sum"), phi_lo=("phi_lo", "first"), phi_hi=("phi_hi", "first"))
    .reset_index()
)
summary = read_tables(sm.input.summary)
summary = summary[summary["in_hist"]] if len(summary) else summary
summary = summary.sort_values(["alpha", "L", "ensemble", "realization"]).reset_index(drop=True)
write_table(counts, sm.output.counts)
write_table(summary, sm.output.summary)
log.info(
    "%d shards -> %d count rows, %d summary rows", len(sm.input.hist), len(counts), len(summary)
)
del pd
