# Figures and the scorecard. Every figure is drawn by one rule from the small figure tables
# (restyling never reruns a simulation): scripts/plot_<figure>.py with the tables and parameters
# the plan lists for it (PLAN.figures); the target rules below build one figure each.


localrules:
    fig1,
    fig2,
    fig3,
    figS1,
    figS2,
    figS3,
    figS4,
    figS5,
    figS6,
    figS7,
    figS8,
    figS9,
    figS10,
    scorecard,


rule plot:
    input:
        unpack(lambda w: PLAN.figures[w.figure].tables),
    output:
        pdf=f"{RES}/figures/{{figure}}.pdf",
        png=report(
            f"{RES}/figures/{{figure}}.png",
            caption="../report/figures.rst",
            category="Figures",
            labels={"figure": "{figure}"},
        ),
    log:
        f"{RES}/logs/figures/{{figure}}.log",
    localrule: True
    conda:
        ENV
    params:
        fig=lambda w: PLAN.figures[w.figure].params,
    script:
        "../../scripts/plot_{wildcards.figure}.py"


rule claims:
    """The scorecard tables (claims_summary, claims) and claims.md / claims.html."""
    input:
        unpack(job_input("claims")),
    output:
        table=PLAN.output_patterns("claims")["table"],
        summary=PLAN.output_patterns("claims")["summary"],
        md=PLAN.output_patterns("claims")["md"],
        html=report(
            PLAN.output_patterns("claims")["html"],
            caption="../report/scorecard.rst",
            category="Scorecard",
            labels={"table": "reproduction scorecard"},
        ),
    log:
        PLAN.log_pattern("claims"),
    conda:
        ENV
    params:
        job=job_params("claims"),
        expect=job_expect("claims"),
        provenance=job_provenance("claims"),
    script:
        JOB_SCRIPT


rule fig1:
    """Fig. 1: SFS field distribution p(phi) vs L, its L -> infinity limit, and x(alpha)."""
    input:
        PLAN.figure_targets("fig1"),


rule fig2:
    """Fig. 2: resonance avalanches (left) and remnant polarization of resonant spins (right)."""
    input:
        PLAN.figure_targets("fig2"),


rule fig3:
    """Fig. 3: ED phase diagram of r and m_EA over (energy density, h_x) at L = 12."""
    input:
        PLAN.figure_targets("fig3"),


rule figS1:
    """Fig. S1: random-state fields against the exact finite-L Gaussian."""
    input:
        PLAN.figure_targets("figS1"),


rule figS2:
    """Fig. S2: genuine two-spin resonances vs L, SFS and random states."""
    input:
        PLAN.figure_targets("figS2"),


rule figS3:
    """Fig. S3: finite-size scaling of the ED diagnostics at the spectrum middle and edges."""
    input:
        PLAN.figure_targets("figS3"),


rule figS4:
    """Fig. S4: quench dynamics of full chains from random and SFS states (beyond the paper)."""
    input:
        PLAN.figure_targets("figS4"),


rule figS5:
    """Fig. S5: the avalanche protocol and energy (literal vs energy-conserving; beyond the paper)."""
    input:
        PLAN.figure_targets("figS5"),


rule figS6:
    """Fig. S6: two-spin-flip-stable states against SFS states (fields, energy; beyond the paper)."""
    input:
        PLAN.figure_targets("figS6"),


rule figS7:
    """Fig. S7: eigenstate entanglement over (eps, h_x): half-ring entropy against Page, mutual
    information vs distance (beyond the paper)."""
    input:
        PLAN.figure_targets("figS7"),


rule figS8:
    """Fig. S8: entanglement of the resonant spins vs a control cluster (beyond the paper)."""
    input:
        PLAN.figure_targets("figS8"),


rule figS9:
    """Fig. S9: the exponent x(alpha) by four independent estimators against the bound (beyond
    the paper)."""
    input:
        PLAN.figure_targets("figS9"),


rule figS10:
    """Fig. S10: x(alpha) for every SFS flip order on the same disorder (beyond the paper)."""
    input:
        PLAN.figure_targets("figS10"),


rule scorecard:
    """The reproduction scorecard: claims_summary.parquet, claims.parquet, .md and .html."""
    input:
        rules.claims.output,
