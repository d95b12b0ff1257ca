# Stage "twoflip" (kasglass.stages.twoflip): two-spin-flip-stable states from the stored SFS
# states (Fig. S6, and a third ensemble of Fig. S2).


rule twoflip:
    input:
        unpack(job_input("twoflip")),
    output:
        **PLAN.output_patterns("twoflip"),
    log:
        PLAN.log_pattern("twoflip"),
    benchmark:
        PLAN.benchmark_pattern("twoflip")
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("twoflip"),
        runtime=job_runtime("twoflip"),
    params:
        job=job_params("twoflip"),
        expect=job_expect("twoflip"),
    script:
        JOB_SCRIPT


rule twoflip_aggregate:
    """Fig. S6 tables: SFS vs 2FS fields, energies and pair moves on the same realizations."""
    input:
        unpack(job_input("twoflip_aggregate")),
    output:
        **PLAN.output_patterns("twoflip_aggregate"),
    log:
        PLAN.log_pattern("twoflip_aggregate"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("twoflip_aggregate"),
        runtime=job_runtime("twoflip_aggregate"),
    params:
        job=job_params("twoflip_aggregate"),
        expect=job_expect("twoflip_aggregate"),
        provenance=job_provenance("twoflip_aggregate"),
    script:
        JOB_SCRIPT
