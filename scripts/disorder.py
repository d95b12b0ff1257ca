"""Snakemake adapter: write the disorder manifest (seeds) of one shard."""

from kasglass.io import setup_logging, write_table
from kasglass.seeds import seed_table

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
L = int(sm.wildcards.L)
df = seed_table(sm.params.seed, L, sm.params.lo, sm.params.hi)
write_table(df, sm.output[0])
log.info("L=%d: seeds of realizations %d..%d written", L, sm.params.lo, sm.params.hi - 1)
