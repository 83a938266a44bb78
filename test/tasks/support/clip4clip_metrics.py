"""CLIP4Clip's retrieval metrics re-derived in numpy for the metric test (stdin: JSON {sim, nCaptions, nVideos,
captionVideo}; stdout: JSON of the ten registry metrics). Follows CLIP4Clip's evaluation (main_task_retrieval.py,
metrics.py): single sentence -> compute_metrics(sim) and compute_metrics(sim.T), where a rank is the position of the
diagonal entry in the row sorted descending and the median is np.median; multi-sentence -> the caption rows are
stacked per video into a [videos, max_captions, videos] tensor padded with -inf, text-to-video ranks come from a
double argsort per caption slice with padded rows dropped and torch.median semantics (lower middle value), and
video-to-text uses the max over each video's captions as the video x caption-group similarity."""
import json
import sys

import numpy as np

d = json.load(sys.stdin)
n_c, n_v = d["nCaptions"], d["nVideos"]
sim = np.array(d["sim"], dtype=np.float64).reshape(n_c, n_v)
cv = d["captionVideo"]


def compute_metrics(x):
    order = np.argsort(-x, axis=1, kind="stable")
    ranks = np.array([int(np.where(order[i] == i)[0][0]) for i in range(x.shape[0])])
    return {"r1": 100.0 * np.mean(ranks == 0), "r5": 100.0 * np.mean(ranks < 5), "r10": 100.0 * np.mean(ranks < 10),
            "mdr": float(np.median(ranks)) + 1, "mnr": float(np.mean(ranks)) + 1}


multi = n_c != n_v or any(v != i for i, v in enumerate(cv))
if not multi:
    t2v, v2t = compute_metrics(sim), compute_metrics(sim.T)
else:
    groups = [[i for i in range(n_c) if cv[i] == v] for v in range(n_v)]
    m = max(len(g) for g in groups)
    t = np.full((n_v, m, n_v), -np.inf)
    for v, g in enumerate(groups):
        t[v, :len(g)] = sim[g]
    stacked = np.transpose(t, (1, 0, 2))                     # [m, n_v (caption's video), n_v]
    first = np.argsort(-stacked, axis=-1, kind="stable")
    second = np.argsort(first, axis=-1, kind="stable")
    ranks = np.stack([np.diagonal(second[k]) for k in range(m)]).flatten()
    orig = np.stack([np.diagonal(t[:, k, :]) for k in range(m)]).flatten()
    valid = ranks[np.isfinite(orig)]
    s = np.sort(valid + 1)
    t2v = {"r1": 100.0 * np.mean(valid < 1), "r5": 100.0 * np.mean(valid < 5), "r10": 100.0 * np.mean(valid < 10),
           "mdr": float(s[(len(s) - 1) // 2]), "mnr": float(np.mean(valid + 1))}
    v2t = compute_metrics(np.max(t, axis=1).T)
out = {}
for name, r in (("t2v", t2v), ("v2t", v2t)):
    for k, v in r.items():
        out[f"{name}_{k}"] = float(v)
print(json.dumps(out))
