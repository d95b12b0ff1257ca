# Stages "polarization" (Fig. 2 right: kasglass.stages.polarization) and "quench" (Fig. S4:
# kasglass.stages.quench): quantum dynamics by exact diagonalization.


rule polarization:
    input:
        unpack(job_input("polarization")),
    output:
        **PLAN.output_patterns("polarization"),
    log:
        PLAN.log_pattern("polarization"),
    benchmark:
        PLAN.benchmark_pattern("polarization")
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("polarization"),
        runtime=job_runtime("polarization"),
    params:
        job=job_params("polarization"),
        expect=job_expect("polarization"),
    script:
        JOB_SCRIPT


rule polarization_aggregate:
    """Fig. 2 right table: remnant polarization P(n, L), extrapolated in L_R."""
    input:
        unpack(job_input("polarization_aggregate")),
    output:
        **PLAN.output_patterns("polarization_aggregate"),
    log:
        PLAN.log_pattern("polarization_aggregate"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("polarization_aggregate"),
        runtime=job_runtime("polarization_aggregate"),
    params:
        job=job_params("polarization_aggregate"),
        expect=job_expect("polarization_aggregate"),
        provenance=job_provenance("polarization_aggregate"),
    script:
        JOB_SCRIPT


rule quench:
    output:
        **PLAN.output_patterns("quench"),
    log:
        PLAN.log_pattern("quench"),
    benchmark:
        PLAN.benchmark_pattern("quench")
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("quench"),
        runtime=job_runtime("quench"),
    params:
        job=job_params("quench"),
    script:
        JOB_SCRIPT


rule quench_aggregate:
    """Fig. S4 tables: quench autocorrelation C(t) and the memory distribution."""
    input:
        unpack(job_input("quench_aggregate")),
    output:
        **PLAN.output_patterns("quench_aggregate"),
    log:
        PLAN.log_pattern("quench_aggregate"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("quench_aggregate"),
        runtime=job_runtime("quench_aggregate"),
    params:
        job=job_params("quench_aggregate"),
        expect=job_expect("quench_aggregate"),
        provenance=job_provenance("quench_aggregate"),
    script:
        JOB_SCRIPT
