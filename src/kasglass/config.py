"""Configuration validation with messages that name the key and the allowed range.

The workflow calls :func:`validate_config` before any job runs: one pass that rejects non-finite
numbers, checks the JSON schema (types, ranges, allowed values, unknown keys) and then the
relations between keys, and raises one :class:`ConfigError` listing every problem. Errors look
like::

    config key 'fields.alpha': 0.4 is out of range: must be > 0.5
    (interaction exponent alpha in (0.5, 1])
    config key 'sfs.order': 'fastest' is not allowed: must be one of ['random', 'sweep', 'greedy']
    config key 'fields': unknown key 'alhpa' (allowed: L, alpha, ...)
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import jsonschema
import yaml


class ConfigError(ValueError):
    """The configuration is invalid; the message names the key and what is allowed."""


def _key(path) -> str:
    parts = []
    for p in path:
        parts.append(f"[{p}]" if isinstance(p, int) else ("." if parts else "") + str(p))
    return "".join(parts) or "<top level>"


def _describe(err) -> str:
    v, s = err.validator, err.schema
    desc = s.get("description")
    tail = f" ({desc})" if desc else ""
    inst = repr(err.instance)
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        rng = []
        if "minimum" in s:
            rng.append(f">= {s['minimum']}")
        if "exclusiveMinimum" in s:
            rng.append(f"> {s['exclusiveMinimum']}")
        if "maximum" in s:
            rng.append(f"<= {s['maximum']}")
        if "exclusiveMaximum" in s:
            rng.append(f"< {s['exclusiveMaximum']}")
        return f"{inst} is out of range: must be {' and '.join(rng)}{tail}"
    if v == "enum":
        return f"{inst} is not allowed: must be one of {s['enum']}{tail}"
    if v == "additionalProperties":
        allowed = sorted(s.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        return f"unknown key(s) {', '.join(map(repr, extra))} (allowed: {', '.join(allowed)})"
    if v == "required":
        return f"{err.message}{tail}"
    if v == "type":
        return f"{inst} has the wrong type: expected {s['type']}{tail}"
    return f"{err.message}{tail}"


def _nonfinite(node, path=()) -> list[str]:
    """Every NaN or infinite number in the configuration (a NaN compares false with every bound,
    so the schema's ranges alone would let it through)."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _nonfinite(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _nonfinite(v, path + (i,))
    elif isinstance(node, float) and not math.isfinite(node):
        out.append(f"config key '{_key(path)}': {node!r} is not a finite number")
    return out


def _same_length(errs, cfg, key_n, key_L):
    n, L = _get(cfg, key_n), _get(cfg, key_L)
    if n is not None and L is not None and len(n) != len(L):
        errs.append(
            f"config key '{key_n}': needs one entry per size in {key_L} ({len(L)}); got {len(n)}"
        )


def _increasing(errs, cfg, key):
    v = _get(cfg, key)
    if v is not None and list(v) != sorted(v):
        errs.append(f"config key '{key}': values must be increasing; got {v}")


def _get(cfg, key):
    node = cfg
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _one_of(errs, cfg, key, list_key):
    v, vals = _get(cfg, key), _get(cfg, list_key)
    if (
        v is not None
        and vals is not None
        and not any(abs(float(v) - float(h)) < 1e-12 for h in vals)
    ):
        errs.append(f"config key '{key}': {v} must be one of {list_key} = {vals}")


def _cross_checks(cfg: dict) -> list[str]:
    """Relations between keys that a JSON schema cannot express; one message per problem."""
    errs = []
    f = cfg.get("fields", {})
    _increasing(errs, cfg, "fields.L")
    _same_length(errs, cfg, "fields.n_realizations", "fields.L")
    _same_length(errs, cfg, "fields.inset.n_realizations", "fields.L")
    fit = f.get("fit", {})
    for lo, hi, key in [(fit.get("lo"), fit.get("hi"), "fields.fit")] + [
        (w[0], w[1], f"fields.fit.alt_windows[{i}]")
        for i, w in enumerate(fit.get("alt_windows", []))
    ]:
        if lo is not None and hi is not None and not lo < hi:
            errs.append(f"config key '{key}': lower edge {lo} must be below upper edge {hi}")
    alphas = [f.get("alpha", 0)] + list(f.get("inset", {}).get("alphas", []))
    computed = {round(float(a), 6) for a in alphas}
    for a in f.get("figS1", {}).get("alphas", []):
        if round(float(a), 6) not in computed:
            errs.append(
                f"config key 'fields.figS1.alphas': {a} is not simulated "
                f"(allowed: fields.alpha or fields.inset.alphas = {sorted(computed)})"
            )
    _same_length(errs, cfg, "fields.protocols.n_realizations", "fields.protocols.L")
    _increasing(errs, cfg, "fields.protocols.L")
    _one_of(errs, cfg, "avalanche.h_x_main", "avalanche.h_x")
    _same_length(errs, cfg, "resonances.n_realizations", "resonances.L")
    _same_length(errs, cfg, "twoflip.fields.n_realizations", "twoflip.fields.L")
    _increasing(errs, cfg, "twoflip.fields.L")
    for sec in ("polarization", "quench"):
        _same_length(errs, cfg, f"dynamics.{sec}.n_realizations", f"dynamics.{sec}.L")
        _increasing(errs, cfg, f"dynamics.{sec}.L")
    pol = _get(cfg, "dynamics.polarization") or {}
    if pol.get("L_R") and pol.get("n_spins") is not None and min(pol["L_R"]) < pol["n_spins"]:
        errs.append(
            f"config key 'dynamics.polarization.L_R': every L_R must be >= "
            f"dynamics.polarization.n_spins = {pol['n_spins']}; got {pol['L_R']}"
        )
    if pol.get("L_R") and pol.get("L") and max(pol["L_R"]) > min(pol["L"]):
        errs.append(
            f"config key 'dynamics.polarization.L_R': L_R (max {max(pol['L_R'])}) "
            f"cannot exceed the smallest dynamics.polarization.L ({min(pol['L'])})"
        )
    ent = pol.get("entanglement") or {}
    if ent.get("L_R") and pol.get("L") and max(ent["L_R"]) > min(pol["L"]):
        errs.append(
            f"config key 'dynamics.polarization.entanglement.L_R': L_R (max {max(ent['L_R'])}) "
            f"cannot exceed the smallest dynamics.polarization.L ({min(pol['L'])})"
        )
    mf = _get(cfg, "sfs.matrix_free_from_L")
    tf = _get(cfg, "twoflip") or {}
    state_keys = ["avalanche.L", "resonances.L", "dynamics.polarization.L"]
    if tf.get("fields", {}).get("L"):
        state_keys.append("twoflip.fields.L")
    for key in state_keys if mf is not None else []:
        v = _get(cfg, key)
        big = [int(x) for x in (v if isinstance(v, list) else [v]) if x is not None and x >= mf]
        if big:
            errs.append(
                f"config key '{key}': L = {big} needs the dense couplings of the stored SFS "
                f"states (8 L^2 bytes), which are not kept from sfs.matrix_free_from_L = {mf} on; "
                "use smaller L there, or raise sfs.matrix_free_from_L"
            )
    _one_of(errs, cfg, "dynamics.quench.h_x_distribution", "dynamics.quench.h_x")
    qu = _get(cfg, "dynamics.quench") or {}
    if "t_min" in qu and "t_max" in qu and not qu["t_min"] < qu["t_max"]:
        errs.append(
            f"config key 'dynamics.quench.t_min': must be below t_max; got "
            f"{qu['t_min']}, {qu['t_max']}"
        )
    _same_length(errs, cfg, "ed.fss.n_realizations", "ed.fss.L")
    _increasing(errs, cfg, "ed.fss.L")
    _increasing(errs, cfg, "ed.fig3.h_x")
    _increasing(errs, cfg, "ed.fss.h_x")
    L3, si = _get(cfg, "ed.fig3.L"), _get(cfg, "ed.shift_invert_min_L")
    if L3 is not None and si is not None and int(L3) >= int(si):
        errs.append(
            f"config key 'ed.fig3.L': {L3} needs full spectra: it must be below "
            f"ed.shift_invert_min_L = {si}"
        )
    return errs


_INT = re.compile(r"[+-]?\d+")


def _resolve(schema: dict, root: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        node = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _scalar(value: str, types: list):
    v = value.strip()
    for t in types:
        if t == "integer" and _INT.fullmatch(v):
            return int(v)
        if t == "number":
            if _INT.fullmatch(v):
                return int(v)
            try:
                return float(v)
            except ValueError:
                pass
        if t == "boolean" and v.lower() in ("true", "false"):
            return v.lower() == "true"
        if t == "null" and v.lower() in ("null", "none", "~"):
            return None
    return value


def coerce_cli_strings(cfg, schema: dict, root: dict | None = None):
    """Convert strings where the schema wants numbers, booleans or null, in place.

    ``snakemake --config key='{a: 1}'`` parses nested values with YAML's BaseLoader, so they
    arrive as strings ('1'); a string that spells a value of the schema's type becomes that value,
    anything else is left for validation to report. Returns the (possibly replaced) value.
    """
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if not isinstance(schema, dict):
        return cfg
    t = schema.get("type")
    types = t if isinstance(t, list) else ([t] if t else [])
    if isinstance(cfg, str):
        return cfg if "string" in types else _scalar(cfg, types)
    if isinstance(cfg, dict):
        props = schema.get("properties", {})
        for k in list(cfg):
            if k in props:
                cfg[k] = coerce_cli_strings(cfg[k], props[k], root)
    elif isinstance(cfg, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(cfg):
            cfg[i] = coerce_cli_strings(v, schema["items"], root)
    return cfg


def validate_config(cfg: dict, schema_path: str | Path) -> None:
    """Validate ``cfg`` against the JSON schema; raise :class:`ConfigError` listing every
    problem. Strings from ``--config`` that spell numbers or booleans where the schema wants them
    are converted first, in place (:func:`coerce_cli_strings`)."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    coerce_cli_strings(cfg, schema)
    msgs = _nonfinite(cfg)
    if not msgs:
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = sorted(validator.iter_errors(cfg), key=lambda e: list(map(str, e.absolute_path)))
        msgs = [f"config key '{_key(e.absolute_path)}': {_describe(e)}" for e in errors]
    if not msgs:
        _fill_defaults(cfg, schema, schema)
        msgs = _cross_checks(cfg)
    if msgs:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(msgs))


def _fill_defaults(node, sch: dict, root: dict) -> None:
    """Set every missing key that has a ``default`` in the schema, at every level (in place), as
    the workflow's ``snakemake.utils.validate`` does; so a configuration validated outside
    Snakemake plans the same jobs, and an optional key left out takes its documented default."""
    import copy

    while "$ref" in sch:  # local references only ("#/definitions/...")
        target = root
        for part in sch["$ref"].lstrip("#/").split("/"):
            target = target[part]
        sch = target
    if not isinstance(node, dict):
        return
    for key, sub in sch.get("properties", {}).items():
        if key not in node and isinstance(sub, dict) and "default" in sub:
            node[key] = copy.deepcopy(sub["default"])
        if key in node and isinstance(sub, dict):
            _fill_defaults(node[key], sub, root)


def _merge(base: dict, over: dict) -> dict:
    """Recursive dict update (how Snakemake overlays --configfile files on config.yaml)."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_config(*overlays, root: str | Path | None = None, overrides: dict | None = None) -> dict:
    """The workflow's configuration outside Snakemake: ``config.yaml`` of the checkout, then each
    overlay file (e.g. ``"presets/tiny.yaml"``) and ``overrides``, validated like the workflow
    does (:func:`validate_config`). For notebooks and tests::

        cfg = load_config("presets/tiny.yaml")
        plan = kasglass.stages.build_plan(cfg)
    """
    root = Path(root) if root else Path(__file__).resolve().parents[2]
    cfg = yaml.safe_load((root / "config.yaml").read_text())
    for f in overlays:
        p = Path(f)
        cfg = _merge(cfg, yaml.safe_load((p if p.is_absolute() else root / p).read_text()) or {})
    if overrides:
        cfg = _merge(cfg, overrides)
    validate_config(cfg, root / "workflow" / "schemas" / "config.schema.yaml")
    return cfg
