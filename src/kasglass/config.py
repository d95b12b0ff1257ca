"""Configuration validation with messages that name the key and the allowed range.

The workflow calls :func:`validate_config` before any job runs (and then Snakemake's own
``validate``). Errors look like::

    config key 'fields.alpha': 0.4 is out of range: must be > 0.5
    (interaction exponent alpha in (0.5, 1])
    config key 'sfs.order': 'fastest' is not allowed: must be one of ['random', 'sweep', 'greedy']
    config key 'fields': unknown key 'alhpa' (allowed: L, alpha, ...)
"""

from __future__ import annotations

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


def _cross_checks(cfg: dict) -> list[str]:
    errs = []
    f = cfg.get("fields", {})
    Ls = f.get("L", [])
    if Ls and list(Ls) != sorted(Ls):
        errs.append(f"config key 'fields.L': sizes must be increasing; got {Ls}")
    for key, val in (("fields.n_realizations", f.get("n_realizations")),
                     ("fields.inset.n_realizations", f.get("inset", {}).get("n_realizations"))):
        if val is not None and len(val) != len(Ls):
            errs.append(f"config key '{key}': needs one entry per size in fields.L "
                        f"({len(Ls)}); got {len(val)}")
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
            errs.append(f"config key 'fields.figS1.alphas': {a} is not simulated "
                        f"(allowed: fields.alpha or fields.inset.alphas = {sorted(computed)})")
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
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(cfg), key=lambda e: list(map(str, e.absolute_path)))
    msgs = [f"config key '{_key(e.absolute_path)}': {_describe(e)}" for e in errors]
    if not msgs:
        msgs = _cross_checks(cfg)
    if msgs:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(msgs))
