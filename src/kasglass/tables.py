"""Table schemas: every Parquet table the pipeline writes is declared once, here or in a stage.

A :class:`Schema` lists the table's columns (name, dtype, unit, meaning), in order, and the
configuration values it carries as constant *parameter columns*. The table writer
(:func:`kasglass.io.write_table`) conforms every frame to its schema (missing or unexpected columns
are errors; dtypes are cast), stamps the provenance columns, and the data dictionary
(``docs/tables.md``, :func:`data_dictionary`) is generated from the same declarations, so the
documentation cannot drift from the files.

Conventions
-----------
- dtypes: ``int64``, ``float64``, ``bool``, ``str``, ``bytes`` and the nullable ``Int64`` (null
  where a value does not apply, e.g. ``L`` of an extrapolated row). "Not applicable" is always
  null (NaN for floats, <NA> for nullable integers and strings), never a sentinel such as -1 or "".
- Units: energies and fields in units of std(J) = 1, times in units of hbar/std(J) (hbar = 1);
  ``""`` means dimensionless or a count.
- Every figure table (under ``results/<run>/data/``) also has the provenance columns
  :data:`PROVENANCE_COLUMNS` and its parameter columns; the whole configuration that produced it is
  stored as JSON in the Parquet metadata (key ``kasglass``; :func:`kasglass.io.read_provenance`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

DTYPES = ("int64", "float64", "bool", "str", "bytes", "Int64")


@dataclass(frozen=True)
class Col:
    """One column: name, dtype (one of :data:`DTYPES`), unit and meaning."""

    name: str
    dtype: str
    unit: str
    meaning: str

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: dtype must be one of {DTYPES}; got {self.dtype}")


#: Provenance columns of every figure table (values from the run, not from the data).
PROVENANCE_COLUMNS = (
    Col("preset", "str", "", "preset (parameter set) of the run"),
    Col("run", "str", "", "run name (the results folder results/<run>/)"),
    Col("base_seed", "int64", "", "base seed of the run (config key seed)"),
    Col("kasglass_version", "str", "", "version of the kasglass package that wrote the table"),
    Col("git_revision", "str", "", "git revision of the checkout (suffix -dirty: local changes)"),
)


@dataclass(frozen=True)
class Schema:
    """A table: its name, a one-paragraph description, columns in order, and parameter columns.

    Parameters
    ----------
    name : str
        Table name (the file is ``<name>.parquet``).
    doc : str
        What one row is and how the table is normalised.
    columns : tuple of Col
    params : tuple of (column, config key, dtype)
        Constant columns holding configuration values (dotted key into the configuration, e.g.
        ``sfs.order``); described in the data dictionary by the configuration schema.
    families : tuple of Col
        Column families: a Col whose name holds one ``{...}`` placeholder (``n_res_h{h}``) stands
        for one column per value of a configuration list (named in its meaning); they follow the
        fixed columns.
    figure : bool
        A published figure table (under ``data/``, with provenance columns) rather than an
        intermediate of one stage.
    """

    name: str
    doc: str
    columns: tuple
    params: tuple = field(default=())
    figure: bool = True
    families: tuple = field(default=())

    def __post_init__(self):
        names = [c.name for c in self.columns] + [p[0] for p in self.params]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"table {self.name}: duplicate columns {dup}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def col(self, name: str) -> Col:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")

    def family_columns(self, df) -> list[Col]:
        """The columns of ``df`` that belong to a declared family, as Col objects."""
        import re

        out = []
        for fam in self.families:
            head, tail = fam.name.split("{")[0], fam.name.split("}")[-1]
            rx = re.compile(re.escape(head) + r"(.+)" + re.escape(tail))
            out += [
                Col(c, fam.dtype, fam.unit, fam.meaning)
                for c in df.columns
                if c not in self.names and rx.fullmatch(str(c))
            ]
        return out

    def conform(self, df):
        """``df`` with exactly the schema's data columns, in order, cast to their dtypes.

        Raises ValueError naming the table and the columns that are missing or not declared.
        """
        fam = self.family_columns(df)
        names = self.names + [c.name for c in fam]
        missing = [c for c in self.names if c not in df.columns]
        extra = [c for c in df.columns if c not in names]
        if missing or extra:
            raise ValueError(
                f"table {self.name}: frame does not match its schema "
                f"(missing {missing}, not declared {extra})"
            )
        return cast(df[names].reset_index(drop=True), tuple(self.columns) + tuple(fam))

    def select(self, df):
        """The schema's columns of a frame that may hold more (then :meth:`conform`)."""
        missing = [c for c in self.names if c not in df.columns]
        if missing:
            raise ValueError(f"table {self.name}: frame lacks columns {missing}")
        return self.conform(df[self.names + [c.name for c in self.family_columns(df)]])

    def empty(self):
        """An empty frame with the schema's columns and dtypes."""
        import pandas as pd

        return cast(pd.DataFrame({c.name: [] for c in self.columns}), self.columns)


def cast(df, columns):
    """Cast the columns of ``df`` to the dtypes of ``columns`` (Col objects), in place order."""
    import numpy as np
    import pandas as pd

    out = {}
    for c in columns:
        s = df[c.name]
        if c.dtype == "int64":
            if s.isna().any():
                raise ValueError(f"column {c.name}: nulls in a non-nullable int64 column")
            out[c.name] = s.astype(np.int64)
        elif c.dtype == "Int64":
            out[c.name] = s.astype("Int64")
        elif c.dtype == "float64":
            out[c.name] = pd.to_numeric(s, errors="raise").astype(np.float64)
        elif c.dtype == "bool":
            out[c.name] = s.astype(bool)
        elif c.dtype == "str":
            v = s.astype(object)
            v = v.where(v.isna() | v.map(lambda x: isinstance(x, str)), v.astype(str))
            out[c.name] = v.where(v.notna(), None)
        else:  # bytes
            out[c.name] = s
    return pd.DataFrame(out, index=df.index)


REGISTRY: dict[str, Schema] = {}


def register(*schemas: Schema) -> dict[str, Schema]:
    """Register schemas by table name (a name declared twice with different content is an
    error); returns ``{name: schema}`` for the caller's ``TABLES``."""
    out = {}
    for s in schemas:
        if s.name in REGISTRY and REGISTRY[s.name] != s:
            raise ValueError(f"table {s.name} declared twice")
        REGISTRY[s.name] = s
        out[s.name] = s
    return out


def all_schemas() -> dict[str, Schema]:
    """Every declared table (imports the stage modules that declare them)."""
    from . import stages

    stages.load_all()
    return dict(sorted(REGISTRY.items()))


def _config_descriptions() -> dict[str, str]:
    """Dotted config key -> description, from the workflow's JSON schema (if present)."""
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
    if not path.exists():
        return {}
    root = yaml.safe_load(path.read_text())
    out = {}

    def walk(node, prefix):
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"].removeprefix("#/").split("/")
            target = root
            for part in ref:
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        if not isinstance(node, dict):
            return
        if prefix and node.get("description"):
            out[prefix] = " ".join(str(node["description"]).split())
        for k, v in node.get("properties", {}).items():
            walk(v, f"{prefix}.{k}" if prefix else k)

    walk(root, "")
    return out


def data_dictionary() -> str:
    """Markdown data dictionary of every declared table (``docs/tables.md``)."""
    desc = _config_descriptions()
    schemas = all_schemas()
    lines = [
        "# Data dictionary",
        "",
        "<!-- generated by scripts/data_dictionary.py from the table schemas "
        "(kasglass.tables); do not edit by hand -->",
        "",
        "Every Parquet table the workflow writes, column by column. Units: energies and fields in",
        "units of std(J) = 1, times in units of hbar/std(J) with hbar = 1; an empty unit means",
        "dimensionless or a count. Null (NaN, <NA>) always means *not applicable* (for example",
        "`L` of an extrapolated row). Figure tables live in `results/<run>/data/` and carry the",
        "provenance columns below and their parameter columns; the complete configuration that",
        "produced a table is in its Parquet metadata (`kasglass.io.read_provenance`).",
        "",
        "Provenance columns of every figure table:",
        "",
        "| column | dtype | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{c.name}` | {c.dtype} | {c.meaning} |" for c in PROVENANCE_COLUMNS]
    lines.append("")
    for kind, flag in (
        ("Figure tables (`results/<run>/data/`)", True),
        ("Intermediate tables (one stage to the next)", False),
    ):
        lines += [f"## {kind}", ""]
        for s in schemas.values():
            if s.figure != flag:
                continue
            lines += [
                f"### `{s.name}`",
                "",
                " ".join(s.doc.split()),
                "",
                "| column | dtype | unit | meaning |",
                "|---|---|---|---|",
            ]
            for c in tuple(s.columns) + tuple(s.families):
                lines.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {_md(c.meaning)} |")
            for col, key, dtype in s.params:
                lines.append(
                    f"| `{col}` | {dtype} | | parameter `{key}`: {_md(desc.get(key, ''))} |"
                )
            lines.append("")
    return "\n".join(lines)


def _md(s: str) -> str:
    return " ".join(str(s).split()).replace("|", "\\|")
