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
if "html" in sm.output.keys():  # the scorecard as a table in `snakemake --report`
    with open(sm.output.html, "w") as fh:
        fh.write(
            f"<html><head><meta charset='utf-8'><title>Scorecard ({sm.params.preset})</title>"
            "<style>table{border-collapse:collapse;font:13px sans-serif}"
            "td,th{border:1px solid #bbb;padding:3px 6px;text-align:left}</style></head><body>"
            f"<h3>Reproduction scorecard (preset {sm.params.preset}, base seed {sm.params.seed})"
            "</h3>"
            + df.drop(columns=[c for c in df.columns if c in ("preset", "base_seed",
                                                              "kasglass_version", "git_revision")])
            .to_html(index=False, na_rep="–", float_format=lambda v: f"{v:.4g}")
            + "</body></html>\n"
        )
for _, r in df.iterrows():
    log.info("claim %s %s: %s", r["claim"], r["reading"], r["verdict"])
