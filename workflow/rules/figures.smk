# Figures (read only the small figure tables: restyling never reruns a simulation), the
# per-figure target rules, and the claims scorecard.

register_figure("fig1", "fig1")
register_figure("figS1", "figS1")


rule plot_fig1:
    localrule: True
    input:
        fields=f"{RES}/data/fig1_fields.parquet",
        exponents=f"{RES}/data/fig1_exponents.parquet",
    output:
        pdf=f"{RES}/figures/fig1.pdf",
        png=report(
            f"{RES}/figures/fig1.png",
            caption="../report/fig1.rst",
            category="Figures",
            subcategory="Main text",
            labels={"figure": "Fig. 1"},
        ),
    params:
        alpha=config["fields"]["alpha"],
    log:
        f"{RES}/logs/figures/fig1.log",
    conda:
        ENV
    script:
        "../../scripts/plot_fig1.py"


rule plot_figS1:
    localrule: True
    input:
        random=f"{RES}/data/figS1_random_fields.parquet",
        moments=f"{RES}/data/fields_moments.parquet",
    output:
        pdf=f"{RES}/figures/figS1.pdf",
        png=report(
            f"{RES}/figures/figS1.png",
            caption="../report/figS1.rst",
            category="Figures",
            subcategory="Supplementary",
            labels={"figure": "Fig. S1"},
        ),
    log:
        f"{RES}/logs/figures/figS1.log",
    conda:
        ENV
    script:
        "../../scripts/plot_figS1.py"


rule claims:
    localrule: True
    input:
        **CLAIM_TABLES,
    output:
        table=f"{RES}/data/claims.parquet",
        md=f"{RES}/data/claims.md",
        html=report(
            f"{RES}/data/claims.html",
            caption="../report/scorecard.rst",
            category="Scorecard",
            labels={"table": "reproduction scorecard"},
        ),
    params:
        preset=PRESET,
        seed=SEED,
    log:
        f"{RES}/logs/claims.log",
    conda:
        ENV
    script:
        "../../scripts/claims.py"


rule fig1:
    localrule: True
    input:
        FIGURES["fig1"],


rule figS1:
    localrule: True
    input:
        FIGURES["figS1"],


rule scorecard:
    localrule: True
    input:
        rules.claims.output,
