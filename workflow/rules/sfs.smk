# Stage "sfs" (kasglass.stages.sfs): disorder manifests, then the random and SFS states of every
# realization for every alpha any stage needs at that L (one draw of J serves every alpha).


rule disorder:
    output:
        **PLAN.output_patterns("disorder"),
    log:
        PLAN.log_pattern("disorder"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("disorder"),
        runtime=job_runtime("disorder"),
    params:
        job=job_params("disorder"),
    script:
        JOB_SCRIPT


rule sfs:
    input:
        unpack(job_input("sfs")),
    output:
        **PLAN.output_patterns("sfs"),
    log:
        PLAN.log_pattern("sfs"),
    benchmark:
        PLAN.benchmark_pattern("sfs")
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("sfs"),
        runtime=job_runtime("sfs"),
    params:
        job=job_params("sfs"),
        expect=job_expect("sfs"),
    script:
        JOB_SCRIPT
