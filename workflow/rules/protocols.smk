# Stage "protocols" (kasglass.stages.protocols): the SFS relaxation with every flip order on the
# same disorder, and x(alpha) per order (Fig. S10).


rule protocols:
    input:
        unpack(job_input("protocols")),
    output:
        **PLAN.output_patterns("protocols"),
    log:
        PLAN.log_pattern("protocols"),
    benchmark:
        PLAN.benchmark_pattern("protocols")
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("protocols"),
        runtime=job_runtime("protocols"),
    params:
        job=job_params("protocols"),
        expect=job_expect("protocols"),
    script:
        JOB_SCRIPT


rule protocols_aggregate:
    """Fig. S10 tables: x(alpha) per SFS flip order by the four estimators, energies and flips."""
    input:
        unpack(job_input("protocols_aggregate")),
    output:
        **PLAN.output_patterns("protocols_aggregate"),
    log:
        PLAN.log_pattern("protocols_aggregate"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("protocols_aggregate"),
        runtime=job_runtime("protocols_aggregate"),
    params:
        job=job_params("protocols_aggregate"),
        expect=job_expect("protocols_aggregate"),
        provenance=job_provenance("protocols_aggregate"),
    script:
        JOB_SCRIPT
