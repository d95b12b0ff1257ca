"""Snakemake adapter: evaluate the paper's claims on the figure tables -> claims.parquet / .md."""

from kasglass.claims import evaluate, to_markdown
from kasglass.io import provenance, read_table, setup_logging, write_table

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
tables = {name: read_table(path) for name, path in sm.input.items()}
df = evaluate(tables)
write_table(df, sm.output.table, provenance(sm.params.preset, sm.params.seed))
with open(sm.output.md, "w") as fh:
    fh.write(to_markdown(df, sm.params.preset))
for _, r in df.iterrows():
    log.info("claim %s %s: %s", r["claim"], r["reading"], r["verdict"])
