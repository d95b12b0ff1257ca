"""The stage contract: every stage of the pipeline as a plan of jobs, a job runner and an
aggregation, computed from the validated configuration without Snakemake.

A **stage** (one module of this package: ``sfs``, ``fields``, ``avalanche``, ``resonances``,
``ed``, ``polarization``, ``quench``, ``claims``) declares

- ``TABLES``: the schemas of the tables it writes (:mod:`kasglass.tables`);
- ``STEPS``: one :class:`Step` per Snakemake rule it owns: the function that runs one job
  (``fn(params, inputs) -> {output key: DataFrame or text}``) and the output paths;
- ``plan(ctx) -> list[Job]``: every job of the stage with its parameters *by value*, its input and
  output paths, and its memory and runtime requests (from measured costs, :mod:`.costs`).

:func:`build_plan` calls the stages in dependency order and returns a :class:`Plan`; the
Snakefile builds it once (``PLAN = build_plan(config)``) and every rule only wires files: its
inputs, parameters and resources are looked up in the plan by the job's label
(``params: job=lambda w: PLAN.job("ed", w.label).params``); nothing is parsed back from a path,
whose labels (``L12/alpha0.7/hx0.05/shard0000``) are for reading only. One generic adapter
(``scripts/stage_job.py``) runs any job, and so can a notebook::

    from kasglass.stages import build_plan, execute
    plan = build_plan(config)                       # the validated configuration dict
    tables = execute(plan.job("ed", "L12/alpha0.7/hx0.05/shard0000"))   # dict of DataFrames

Outputs are written by :func:`kasglass.io.write_table` with the step's schema; figure tables get
the provenance of the job (run name, base seed, version, git revision, and the configuration
sections that produced them).
"""

from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

#: version of the table layout; part of every job's parameters, so that a change of the layout
#: (a new version of kasglass that writes other columns or files) reruns every job
TABLE_LAYOUT = 3

#: stage modules in dependency order (a stage may use the plan of the stages before it)
STAGES = (
    "sfs",
    "fields",
    "protocols",
    "avalanche",
    "twoflip",
    "resonances",
    "ed",
    "polarization",
    "quench",
    "claims",
)


@dataclass(frozen=True)
class Step:
    """One Snakemake rule of a stage.

    Parameters
    ----------
    fn : callable
        ``fn(params: dict, inputs: dict[str, list[str]]) -> dict[str, DataFrame | str]``: one job,
        library calls only; keys are output keys.
    outputs : dict
        Output key -> (schema name or None for a text file, path relative to the run folder; may
        contain ``{label}``).
    sharded : bool
        Many jobs told apart by ``{label}``; otherwise a single job with label ``""``.
    threads : int
        Cores per job.
    """

    fn: object
    outputs: dict
    sharded: bool = True
    threads: int = 1


@dataclass
class Job:
    """One job: its rule and label, parameters by value, files, and resource requests.

    ``mem_mb`` and ``runtime`` (minutes) are the first attempt's requests; the workflow scales
    them with the attempt number (:meth:`Plan.resources`).
    """

    rule: str
    label: str
    params: dict
    inputs: dict
    outputs: dict
    mem_mb: int = 1000
    runtime: int = 10
    provenance: dict | None = None
    #: single-core seconds the cost model (:mod:`.costs`) expects; when given, the runtime
    #: request is :func:`.costs.runtime_minutes` of it (aggregations: 0, a fixed request)
    seconds: float = 0.0
    log: str = ""
    benchmark: str = ""
    #: input path -> (rule, params) of the planned job that writes it (checked on read)
    expect: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.seconds:
            from .costs import runtime_minutes

            self.runtime = runtime_minutes(self.seconds)


@dataclass
class Context:
    """What a stage's ``plan`` sees: the configuration, the run folder and the jobs planned so
    far (``ctx.jobs[rule][label]``), plus values stages share (``ctx.shared``)."""

    cfg: dict
    root: str
    jobs: dict = field(default_factory=dict)
    shared: dict = field(default_factory=dict)

    def path(self, rel: str, label: str = "") -> str:
        return f"{self.root}/{rel.format(label=label)}"

    def provenance(self, *sections: str) -> dict:
        """Provenance of a figure table made from these configuration sections (dotted keys,
        e.g. ``"dynamics.polarization"``)."""
        from ..io import config_value

        conf = {}
        for sec in ("model", *sections):
            node = conf
            parts = sec.split(".")
            for p in parts[:-1]:
                node = node.setdefault(p, {})
            node[parts[-1]] = config_value(self.cfg, sec)
        return {
            "preset": self.cfg["preset"],
            "run": run_name(self.cfg),
            "base_seed": int(self.cfg["seed"]),
            "config": conf,
        }


def load_all() -> dict:
    """Import every stage module; returns ``{name: module}``."""
    return {s: importlib.import_module(f"{__name__}.{s}") for s in STAGES}


def steps() -> dict[str, tuple[object, Step]]:
    """Rule name -> (stage module, step), over every stage."""
    out = {}
    for mod in load_all().values():
        for rule, st in mod.STEPS.items():
            if rule in out:
                raise ValueError(f"rule {rule} declared by two stages")
            out[rule] = (mod, st)
    return out


class Plan:
    """Every job of the workflow for one configuration (see the module docstring)."""

    def __init__(self, cfg: dict, root: str, jobs: dict, figures: dict):
        self.cfg, self.root, self.jobs, self.figures = cfg, root, jobs, figures
        self._steps = steps()

    def job(self, rule: str, label: str = "") -> Job:
        try:
            return self.jobs[rule][label]
        except KeyError:
            known = sorted(self.jobs.get(rule, {}))[:5]
            raise KeyError(
                f"no job {rule!r} with label {label!r} in this configuration's plan "
                f"(first labels: {known}); a path that the plan does not list was requested"
            ) from None

    def labels(self, rule: str) -> list[str]:
        return sorted(self.jobs.get(rule, {}))

    def step(self, rule: str) -> Step:
        return self._steps[rule][1]

    def output_patterns(self, rule: str) -> dict:
        """Output key -> path pattern (with ``{label}`` for sharded rules)."""
        return {k: f"{self.root}/{rel}" for k, (_, rel) in self.step(rule).outputs.items()}

    def log_pattern(self, rule: str) -> str:
        return (
            f"{self.root}/logs/{rule}/{{label}}.log"
            if self.step(rule).sharded
            else f"{self.root}/logs/{rule}.log"
        )

    def benchmark_pattern(self, rule: str) -> str:
        return (
            f"{self.root}/benchmarks/{rule}/{{label}}.tsv"
            if self.step(rule).sharded
            else f"{self.root}/benchmarks/{rule}.tsv"
        )

    def resources(self, rule: str, label: str, attempt: int = 1) -> dict:
        """mem_mb and runtime (minutes) of a job's attempt: the planned requests times
        :data:`.costs.RETRY_FACTOR` per retry, capped at :data:`.costs.MEM_CAP_MB` and
        :data:`.costs.RUNTIME_CAP_MIN`."""
        from .costs import scaled

        j = self.job(rule, label)
        return scaled(j.mem_mb, j.runtime, attempt)

    def figure_targets(self, name: str) -> list[str]:
        return [f"{self.root}/figures/{name}.pdf", f"{self.root}/figures/{name}.png"]

    def targets(self) -> list[str]:
        """Every final output: the figures, and every output of the aggregation jobs (the figure
        tables, the scorecard, the cost tables)."""
        out = [f for name in self.figures for f in self.figure_targets(name)]
        for rule, jobs in self.jobs.items():
            if not self.step(rule).sharded:
                out += [f for j in jobs.values() for f in j.outputs.values()]
        return out

    def summary(self) -> dict:
        """Rule -> number of jobs."""
        return {r: len(j) for r, j in self.jobs.items()}

    def diff(self, new: Plan) -> dict[str, dict[str, str]]:
        """The jobs of ``new`` that a run after ``self`` would (re)compute, and why.

        Returns rule -> {label: reason}, the reason being ``new job``, ``parameters changed``,
        ``inputs changed`` (other files), ``provenance changed`` (figure tables only) or ``an
        input is recomputed`` (downstream of a rerun). This is what Snakemake's default rerun
        triggers do with the plan's values (plots and target rules aside).
        """
        recomputed: set[str] = set()
        out: dict[str, dict[str, str]] = {}
        for rule, jobs in new.jobs.items():  # in build order: a job's inputs come first
            for label, j in jobs.items():
                old = self.jobs.get(rule, {}).get(label)
                if old is None:
                    why = "new job"
                elif old.params != j.params:
                    why = "parameters changed"
                elif old.inputs != j.inputs:
                    why = "inputs changed"
                elif any(f in recomputed for fs in j.inputs.values() for f in fs):
                    why = "an input is recomputed"
                elif old.provenance != j.provenance:
                    why = "provenance changed"
                else:
                    continue
                out.setdefault(rule, {})[label] = why
                recomputed.update(j.outputs.values())
        return out


@dataclass(frozen=True)
class Figure:
    """A figure: its plot script ``scripts/plot_<name>.py`` reads ``tables`` (input key ->
    path) and ``params``."""

    name: str
    tables: dict
    params: dict = field(default_factory=dict)


def run_name(cfg: dict) -> str:
    """The run's name: ``run`` if set, else the preset's name (the results folder)."""
    return cfg.get("run") or cfg["preset"]


def build_plan(cfg: dict, root: str | None = None) -> Plan:
    """The plan of a validated configuration (:func:`kasglass.config.validate_config`).

    Parameters
    ----------
    cfg : dict
        The configuration after validation.
    root : str, optional
        Run folder (default ``results/<run>``, :func:`run_name`).
    """
    ctx = Context(cfg=cfg, root=root or f"results/{run_name(cfg)}")
    mods = load_all()
    all_steps = steps()
    # stored SFS states wanted by the later stages: (L, alpha, n) from each stage's sfs_demand
    ctx.shared["sfs_demand"] = [
        d for name in STAGES for d in getattr(mods[name], "sfs_demand", lambda cfg: [])(cfg)
    ]
    figures = {}
    for name in STAGES:
        mod = mods[name]
        for job in mod.plan(ctx):
            st = all_steps[job.rule][1]
            if job.rule not in mod.STEPS:
                raise ValueError(f"stage {name} planned a job of another stage's rule {job.rule}")
            if not st.sharded and job.label:
                raise ValueError(f"rule {job.rule} is not sharded; got label {job.label!r}")
            job.params = {**job.params, "layout": TABLE_LAYOUT}
            job.outputs = {k: ctx.path(rel, job.label) for k, (_, rel) in st.outputs.items()}
            job.log = (
                f"{ctx.root}/logs/{job.rule}/{job.label}.log"
                if st.sharded
                else f"{ctx.root}/logs/{job.rule}.log"
            )
            rule_jobs = ctx.jobs.setdefault(job.rule, {})
            if job.label in rule_jobs:
                raise ValueError(f"two jobs of rule {job.rule} share the label {job.label!r}")
            rule_jobs[job.label] = job
        for fig in getattr(mod, "figures", lambda ctx: [])(ctx):
            figures[fig.name] = fig
    # every input written by a planned job is checked on read against that job's parameters
    producer = {
        p: (j.rule, j.params)
        for jobs in ctx.jobs.values()
        for j in jobs.values()
        for p in j.outputs.values()
    }
    for jobs in ctx.jobs.values():
        for j in jobs.values():
            j.expect = {p: producer[p] for ps in j.inputs.values() for p in ps if p in producer}
    order = ("fig1", "fig2", "fig3") + tuple(f"figS{i}" for i in range(1, 11))
    figures = {k: figures[k] for k in sorted(figures, key=lambda k: (order + (k,)).index(k))}
    return Plan(cfg, ctx.root, ctx.jobs, figures)


def execute(job: Job, write: bool = False) -> dict:
    """Run one job of a plan: read its inputs, call its step, and return the outputs; with
    ``write``, write them to the job's output paths (tables with their schemas and, for figure
    tables, the job's provenance)."""
    from ..io import check_producer, write_table
    from ..tables import REGISTRY

    st = steps()[job.rule][1]
    t0 = time.monotonic()
    log.info("%s %s: start", job.rule, job.label or "(single job)")
    for path, (rule, params) in job.expect.items():  # inputs are the files the plan expects
        if path.endswith(".parquet"):
            check_producer(path, rule, params)
    out = st.fn(job.params, job.inputs)
    missing = set(st.outputs) - set(out)
    if missing:
        raise RuntimeError(f"rule {job.rule}: step returned no {sorted(missing)}")
    if write:
        from ..io import provenance

        prov = None
        if job.provenance is not None:  # run name, seed, config sections + version, git revision
            p = job.provenance
            prov = provenance(
                p["preset"], p["base_seed"], p.get("config"), run=p.get("run", p["preset"])
            )
        for key, (schema_name, _) in st.outputs.items():
            path = job.outputs[key]
            if schema_name is None:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                tmp = Path(path + ".tmp")
                tmp.write_text(out[key])
                tmp.replace(path)
                continue
            schema = REGISTRY[schema_name]
            write_table(
                out[key],
                path,
                schema,
                prov if schema.figure else None,
                job={"rule": job.rule, "params": job.params},
            )
    log.info("%s %s: done in %.1f s", job.rule, job.label or "(single job)", time.monotonic() - t0)
    return out


def run_job(sm) -> None:
    """The generic Snakemake adapter (``scripts/stage_job.py``): rebuild the :class:`Job` from
    the rule's inputs, outputs and ``params.job`` / ``params.provenance``, then
    :func:`execute` it with the job's log file."""
    from ..io import setup_logging
    from ..runtime import configure_threads

    configure_threads(sm.threads)
    setup_logging(sm.log[0] if len(sm.log) else None)
    t_start = time.monotonic()
    inputs = {k: list(v) if not isinstance(v, str) else [v] for k, v in sm.input.items()}
    job = Job(
        rule=sm.rule,
        label=getattr(sm.wildcards, "label", ""),
        params=dict(sm.params.job),
        inputs=inputs,
        outputs=dict(sm.output.items()),
        provenance=dict(sm.params.provenance) if "provenance" in sm.params.keys() else None,
        expect=(
            {k: tuple(v) for k, v in dict(sm.params.expect).items()}
            if "expect" in sm.params.keys()
            else {}
        ),
    )
    _test_hold(sm.rule, t_start)
    execute(job, write=True)


def _test_hold(rule: str, t_start: float) -> None:
    """Fault-injection hook of the cluster tests (tests/test_slurm.py): with
    ``KASGLASS_TEST_HOLD="<rule>:<seconds>"`` in the environment, jobs of that rule wait that
    long before they start working (so that a time limit can be tested on the tiny preset).
    Unset, it does nothing."""
    import os

    spec = os.environ.get("KASGLASS_TEST_HOLD", "")
    if spec.partition(":")[0] == rule:
        left = float(spec.partition(":")[2]) - (time.monotonic() - t_start)
        if left > 0:
            log.info("test hold: %.0f s more", left)
            time.sleep(left)
