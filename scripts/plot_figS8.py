"""Fig. S8 (beyond the paper): entanglement of the resonant spins of SFS states in the diagonal
ensemble, against a control cluster of the same states. (a) pair mutual information of the most
resonant spins against their ring distance, for every L; (b) the mean pair mutual information vs
L; (c) the half-cluster entropy as a fraction of the random-state value; (d) the entropy of each
ranked spin with the rest of its cluster."""

import textwrap

import numpy as np

from kasglass.io import read_table, setup_logging
from kasglass.plotting import footer, save, use_style

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter, ScalarFormatter  # noqa: E402

use_style()
t = read_table(sm.input.table)
t = t[t["L_R"].notna()]  # finite clusters (L_R -> infinity rows: in the table)
if t.empty:  # no cluster entanglement in this run
    fig, ax = plt.subplots(figsize=(6, 2))
    ax.axis("off")
    ax.text(
        0.5,
        0.5,
        "no cluster entanglement measured\n(dynamics.polarization.entanglement.n_realizations: 0)",
        ha="center",
        va="center",
    )
    save(fig, [sm.output.pdf, sm.output.png])
    raise SystemExit(0)
lr = int(t["L_R"].max())
t = t[t["L_R"] == lr]
Ls = sorted(t["L"].unique())
cmap = plt.get_cmap("viridis")
col = {L: cmap(0.85 * i / max(len(Ls) - 1, 1)) for i, L in enumerate(Ls)}
style = {"resonant": dict(marker="o", ls="-"), "control": dict(marker="s", mfc="none", ls=":")}

fig, (ax, axL, axH, axs) = plt.subplots(1, 4, figsize=(20, 4.6))
mi = t[t["quantity"] == "mi"]
for L in Ls:
    for c in ("resonant", "control"):
        d = mi[(mi["L"] == L) & (mi["cluster"] == c) & mi["d_lo"].notna() & (mi["value"] > 0)]
        d = d.sort_values("d_mean")
        y, e = d["value"].to_numpy(), d["err"].fillna(0.0).to_numpy()
        ax.errorbar(
            d["d_mean"], y, yerr=[np.minimum(e, 0.7 * y), e], color=col[L], ms=4, **style[c]
        )
for L in Ls:
    ax.plot([], [], color=col[L], lw=2, label=f"L = {L}")
for c in style:
    ax.plot([], [], color="0.3", label=f"{c} cluster", **style[c])
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("ring distance of the pair along the chain")
ax.set_ylabel("pair mutual information $I(a{:}b)$ (nats)")
ax.set_title(rf"(a) mutual information vs distance, $L_R = {lr}$")
ax.legend(fontsize=7, loc="best")

for c in ("resonant", "control"):
    # log axis: values at or below zero (the float32 noise floor of a product-like cluster,
    # about 1e-7 nats) are left out, as in (a)
    d = mi[(mi["cluster"] == c) & mi["d_lo"].isna() & (mi["value"] > 0)].sort_values("L")
    y, e = d["value"].to_numpy(), d["err"].fillna(0.0).to_numpy()
    axL.errorbar(d["L"], y, yerr=[np.minimum(e, 0.7 * y), e], color="C0", label=c, **style[c])
    h = t[(t["quantity"] == "s_half") & (t["cluster"] == c)].sort_values("L")
    axH.errorbar(
        h["L"],
        h["value"] / h["random"],
        yerr=h["err"] / h["random"],
        color="C3",
        label=c,
        **style[c],
    )
axH.axhline(0.8, color="C3", lw=0.8, ls=(0, (1, 3)))
axH.text(Ls[0], 0.8, " 0.8 (claim 14)", color="C3", fontsize=7, va="bottom")
axH.set_ylim(0, 1.05)
axL.set_yscale("log")
for a_ in (axL, axH):
    a_.set_xscale("log")
    a_.xaxis.set_major_formatter(ScalarFormatter())
    a_.xaxis.set_minor_formatter(NullFormatter())
    a_.set_xticks(Ls)
    a_.set_xlabel("system size $L$")
    a_.legend(fontsize=7, loc="best")
axL.set_ylabel("mean pair mutual information (nats)")
axL.set_title("(b) mean pair mutual information vs L")
axH.set_ylabel(r"half-cluster entropy / random-state value")
axH.set_title("(c) is the cluster thermal?")

s = t[t["quantity"] == "s_spin"]
for L in Ls:
    for c in ("resonant", "control"):
        d = s[(s["L"] == L) & (s["cluster"] == c)].sort_values("n")
        axs.errorbar(d["n"], d["value"], yerr=d["err"], color=col[L], ms=4, **style[c])
axs.axhline(np.log(2), color="0.3", lw=0.8, ls="--")
axs.text(1, np.log(2), " ln 2", va="bottom", fontsize=7)
axs.set_xlabel(r"rank $n$ (1: smallest $|\phi|$; control: largest)")
axs.set_ylabel("entropy of the spin with its cluster (nats)")
axs.set_title("(d) single-spin entropies")

nr = ", ".join(
    f"L={int(L)}: {int(n)}"
    for L, n in t[t["cluster"] == "resonant"].groupby("L")["n_realizations"].min().items()
)
h_x = float(t["h_x"].iloc[0])
n_spins = int(t["n_spins"].iloc[0]) if "n_spins" in t.columns else int(t["n"].max())
alpha = float(t["alpha"].iloc[0])
footer(
    fig,
    textwrap.fill(
        f"alpha = {alpha:g}, h_x = {h_x:g}. Resonant cluster: the L_R = {lr} spins of an SFS "
        "state with the smallest |phi| (Fig. 2 right); control: the L_R spins with the largest "
        "|phi| of the same state; the other spins frozen. Every quantity is the "
        "diagonal-ensemble mean sum_k |<k|Z_R>|^2 S(|k>) over the eigenstates of H_R, natural "
        f"log; mutual information among the {n_spins} first-ranked spins; half cluster: the "
        f"cluster spins first along the chain. SFS states: {nr}. Errors: standard errors over "
        "states (cluster errors for the mutual information).",
        320,
    ),
)
save(fig, [sm.output.pdf, sm.output.png])
log.info("figS8 drawn")
