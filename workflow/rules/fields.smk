# Stage 3: aggregate the SFS shards (exact integer sums; summaries in realization order), then
# extrapolate p_L(phi) to L -> infinity and fit p_inf ~ |phi|^x (Fig. 1 tables, Fig. S1 table).


rule fields_aggregate:
    input:
        hist=lambda w: [f for L in config["fields"]["L"] for f in sfs_files("hist", L)],
        summary=lambda w: [f for L in config["fields"]["L"] for f in sfs_files("summary", L)],
    output:
        counts=f"{RES}/fields/counts.parquet",
        summary=f"{RES}/fields/summary.parquet",
    log:
        f"{RES}/logs/fields/aggregate.log",
    conda:
        ENV
    script:
        "../../scripts/fields_aggregate.py"


rule fields_analysis:
    input:
        counts=rules.fields_aggregate.output.counts,
        summary=rules.fields_aggregate.output.summary,
    output:
        fields=f"{RES}/data/fig1_fields.parquet",
        exponents=f"{RES}/data/fig1_exponents.parquet",
        random=f"{RES}/data/figS1_random_fields.parquet",
        moments=f"{RES}/data/fields_moments.parquet",
    params:
        preset=PRESET,
        seed=SEED,
        alpha=config["fields"]["alpha"],
        L=config["fields"]["L"],
        figS1_alphas=config["fields"]["figS1"]["alphas"],
        fit=config["fields"]["fit"],
        extrapolation=config["fields"]["extrapolation"],
        n_bootstrap=config["fields"]["n_bootstrap"],
        hist=config["fields"]["hist"],
        order=config["sfs"]["order"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    log:
        f"{RES}/logs/fields/analysis.log",
    conda:
        ENV
    script:
        "../../scripts/fields_analysis.py"


CLAIM_TABLES.update(
    {
        "fig1_fields": f"{RES}/data/fig1_fields.parquet",
        "fig1_exponents": f"{RES}/data/fig1_exponents.parquet",
        "figS1_random_fields": f"{RES}/data/figS1_random_fields.parquet",
        "fields_moments": f"{RES}/data/fields_moments.parquet",
    }
)
