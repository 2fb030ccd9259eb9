"""`coach eval`: retrieval per retriever, grader agreement, tutor faithfulness / relevancy / citations."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from coach import runtime
from coach.config import CoachSettings
from coach.grading.grader import (
    JUDGE_ALONE_BAND,
    JUDGE_CONTRADICTS,
    JUDGE_DENIES,
    Grader,
)
from coach.llm.sampling import SamplingSettings
from coach.llm.serving.endpoint import make_client
from eval.metrics import pairwise_accuracy, retrieval_metrics, spearman
from ingest.keypoints import sentences

DATA = Path(__file__).parent / "data"
LABEL_VALUE = {"strong": 2.0, "partial": 1.0, "wrong": 0.0}


def jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text("utf-8").splitlines() if line.strip()]


def retrieval(index_name: str, dataset: str | list[dict], settings: CoachSettings) -> dict:
    """hit@1 / hit@3 / MRR per retriever and language; `dataset` names a file in eval/data or is the cases."""
    retriever = runtime.open_index(index_name, settings).retriever
    cases = jsonl(dataset) if isinstance(dataset, str) else dataset
    out: dict = {}
    for mode in ("dense", "bm25", "hybrid"):
        for lang in ("zh", "en", "all"):
            subset = [c for c in cases if lang == "all" or c["lang"] == lang]
            ranked = [[h.item_id for h in retriever.retrieve(c["query"], 10, mode)] for c in subset]
            out[f"{mode}/{lang}"] = retrieval_metrics(ranked, [c["item_id"] for c in subset])
    return out


def grader_agreement(index_name: str, settings: CoachSettings, dataset: str = "grader_agreement.jsonl") -> dict:
    """Ordering accuracy of the grader on labelled answers: the seed set (tuned on), the calibration set
    (strong / partial on the sample corpus, used to check the similarity bands) or the held-out set
    (written before any tuning against it). Mean score per label shows the absolute scale."""
    index = runtime.open_index(index_name, settings)
    grader = runtime.grader(settings)
    groups: dict[tuple, dict[str, float]] = {}
    by_label: dict[str, list[float]] = {}
    seconds: list[float] = []
    for case in jsonl(dataset):
        item = index.loaded.item(case["item_id"])
        chunks = index.loaded.chunks_of(item.id)
        started = time.perf_counter()
        score = grader.grade(item, case["answer"], chunks).score
        seconds.append(time.perf_counter() - started)
        groups.setdefault((case["item_id"], case["lang"]), {})[case["label"]] = score
        by_label.setdefault(case["label"], []).append(score)
    order = [label for label in LABEL_VALUE if label in by_label]
    labels = [LABEL_VALUE[label] for label, scores in by_label.items() for _ in scores]
    results = {"pairwise_accuracy": round(pairwise_accuracy(groups, order), 4),
               "spearman": round(spearman([s for scores in by_label.values() for s in scores], labels), 4),
               "answers": len(labels), "grade_seconds_median": round(float(np.median(seconds)), 3),
               "grade_seconds_max": round(float(np.max(seconds)), 3)}
    for i, better in enumerate(order):
        for worse in order[i + 1 :]:
            results[f"{better}_over_{worse}"] = round(pairwise_accuracy(groups, [better, worse]), 4)
    results.update({f"mean_{label}": round(float(np.mean(scores)), 2) for label, scores in by_label.items()})
    return results


def plain_cosine(index_name: str, settings: CoachSettings, dataset: str) -> dict:
    """The one-line baseline: cosine(answer, the item's whole reference answer), ordered the same way."""
    index = runtime.open_index(index_name, settings)
    grader = runtime.grader(settings)
    groups: dict[tuple, dict[str, float]] = {}
    for case in jsonl(dataset):
        reference = index.loaded.item(case["item_id"]).reference_answer
        groups.setdefault((case["item_id"], case["lang"]), {})[case["label"]] = grader.similarity(case["answer"], reference)
    order = [label for label in LABEL_VALUE if any(label in g for g in groups.values())]
    return {"pairwise_accuracy": round(pairwise_accuracy(groups, order), 4)}


def cross_language(settings: CoachSettings, indexes: dict[str, str]) -> dict:
    """The same strong answer in Chinese and in English should score alike; a short correct answer
    should pass (>= 5); a fluent wrong one should score below both (eval/data/grader_crosslang.jsonl)."""
    grader = runtime.grader(settings)
    scores: dict[str, dict[tuple[str, str], float]] = {}
    for case in jsonl("grader_crosslang.jsonl"):
        index = runtime.open_index(indexes[case["corpus"]], settings)
        item = index.loaded.item(case["item_id"])
        chunks = index.loaded.chunks_of(item.id)
        scores.setdefault(case["group"], {})[(case["lang"], case["kind"])] = grader.grade(item, case["answer"], chunks).score
    gaps = [abs(g[("zh", "strong")] - g[("en", "strong")]) for g in scores.values()]
    shorts = [v for g in scores.values() for (lang, kind), v in g.items() if kind == "short"]
    ordered = [g[(lang, better)] > g[(lang, "wrong")] for g in scores.values() for lang in ("zh", "en")
               for better in ("strong", "short")]
    means = {kind: round(float(np.mean([v for g in scores.values() for (_, k), v in g.items() if k == kind])), 2)
             for kind in ("strong", "short", "wrong")}
    return {"items": len(scores), "strong_gap_within_1": round(float(np.mean([gap <= 1.0 for gap in gaps])), 4),
            "strong_gap_mean": round(float(np.mean(gaps)), 2), "strong_gap_max": round(float(max(gaps)), 2),
            "short_at_least_5": round(float(np.mean([v >= 5 for v in shorts])), 4),
            "correct_over_wrong": round(float(np.mean(ordered)), 4), **{f"mean_{k}": v for k, v in means.items()}}


def _real_grading_sets(settings: CoachSettings, indexes: dict[str, str]) -> dict:
    """The grader as it is set now, on every real grading set, as one row."""
    seed = grader_agreement(indexes["seed"], settings)
    held_out = grader_agreement(indexes["sample"], settings, "grader_heldout.jsonl")
    crossed = cross_language(settings, indexes)
    return {"seed_pairwise": seed["pairwise_accuracy"], "seed_partial_over_wrong": seed.get("partial_over_wrong"),
            "seed_mean_strong": seed["mean_strong"], "held_out_pairwise": held_out["pairwise_accuracy"],
            "held_out_mean_partial": held_out["mean_partial"],
            **{f"cross_{key}": crossed[key] for key in ("strong_gap_within_1", "short_at_least_5", "correct_over_wrong")}}


def _each_reading(settings: CoachSettings, readings: dict[str, dict], row: Callable[[Grader], dict]) -> dict:
    """row(grader) with each reading's grader attributes set in turn (the rest as shipped); the shared
    grader is restored afterwards."""
    grader = runtime.grader(settings)
    shipped = {name: getattr(grader, name) for reading in readings.values() for name in reading}
    out: dict = {}
    try:
        for label, reading in readings.items():
            for name, value in {**shipped, **reading}.items():
                setattr(grader, name, value)
            out[label] = row(grader)
    finally:
        for name, value in shipped.items():
            setattr(grader, name, value)
    return out


def judge_bands(settings: CoachSettings, indexes: dict[str, str], bands: tuple[tuple[float, float], ...] = (
        (0.0, 0.0), (0.50, 0.85), (0.80, 0.99), (0.90, 0.99), (0.95, 0.995))) -> dict:
    """The grader with the judge's coverage band varied ((0, 0): the judge left out), on every grading
    set: why the shipped band is the strict one."""
    readings = {"no judge" if band == (0.0, 0.0) else f"{band[0]:g}-{band[1]:g}":
                {"judge": None} if band == (0.0, 0.0) else {"judge_band": band} for band in bands}
    return _each_reading(settings, readings, lambda _: _real_grading_sets(settings, indexes))


# The grader's readings compared in `coach eval`: attribute values of coach.grading.grader.Grader.
JUDGE_READINGS: dict[str, dict] = {
    "shipped": {},
    "judge finds wrong claims": {"judge_contradicts": JUDGE_CONTRADICTS, "lexical_rules": False},
    "judge denies coverage": {"judge_denies": JUDGE_DENIES},
    "judge alone": {"judge_contradicts": JUDGE_CONTRADICTS, "lexical_rules": False, "cosine_coverage": False,
                    "judge_band": JUDGE_ALONE_BAND},
}


def judge_readings(settings: CoachSettings, indexes: dict[str, str]) -> dict:
    """Each reading on the composed and the fluent answers of the test topics (its settings were chosen
    on the dev topics' answers) and on every real grading set: the judge's readings only ship where
    they win on the real ones."""
    from eval.composed_answers import grade_composed

    return _each_reading(settings, JUDGE_READINGS, lambda grader: {
        **{f"{source}_test": grade_composed(grader, "test", source) for source in ("composed", "fluent")},
        **_real_grading_sets(settings, indexes)})


def judge_test_split(settings: CoachSettings) -> dict:
    """The judge on its held-out topics (accuracy, macro-F1, per language pair)."""
    from coach.grading.judge_data import load_splits
    from coach.grading.training import evaluate

    report = evaluate(runtime.judge(settings), load_splits()["test"])
    return {key: value for key, value in report.items() if key == "all" or key.startswith("languages:")}


def tutor_scope(index_name: str, settings: CoachSettings) -> dict:
    """The decline decision alone (no LLM): out-of-scope questions declined, per kind; the seed's own
    retrieval questions answered."""
    tutor_engine = runtime.tutor(index_name, settings)
    out: dict = {}
    outside = jsonl("out_of_scope.jsonl")
    for kind in sorted({c["kind"] for c in outside}):
        declined = [tutor_engine.prepare(c["query"], [])[3] for c in outside if c["kind"] == kind]
        out[f"{kind}_declined"] = round(float(np.mean(declined)), 4)
    inside = [not tutor_engine.prepare(c["query"], [])[3] for c in jsonl("retrieval_seed.jsonl")]
    out["in_scope_answered"] = round(float(np.mean(inside)), 4)
    return out


def tutor(index_name: str, settings: CoachSettings, limit: int = 10) -> dict:
    """Per language: faithfulness of the text shown (its sentences supported by the cited notes, read by
    the judge, and by the older embedding test), of the model's own text before checking, the share of
    model sentences kept, how often the answer fell back to the notes, and citation correctness."""
    from coach.grading.verify import check_sentences
    from coach.tutor import NOTES_ONLY, _model_sentences, note_sentences

    tutor_engine = runtime.tutor(index_name, settings)
    judge, grader = runtime.judge(settings), runtime.grader(settings)
    client = make_client(settings, start=True)
    retriever = runtime.open_index(index_name, settings).retriever
    cases = jsonl("retrieval_seed.jsonl")[::2][: 2 * limit]
    rows: dict[str, dict[str, list[float]]] = {}
    for case in cases:
        result = tutor_engine.answer(case["query"], [], client, SamplingSettings(temperature=0.0, seed=1, max_tokens=120))
        hits = retriever.retrieve(result.query, settings.retrieve_k)
        notes = note_sentences(hits)
        shown = [_strip_quote(s) for s in _model_sentences(result.answer.removeprefix(NOTES_ONLY[result.language]))]
        shown_checked = check_sentences(judge, grader.embed, shown, notes, result.language)
        row = rows.setdefault(case["lang"], {k: [] for k in ("shown", "shown_embedding", "model", "kept", "notes",
                                                              "citation", "quotes_on_item")})
        row["shown"].append(float(np.mean([c.supported or _quoted(c.text, notes) for c in shown_checked]))
                            if shown_checked else 1.0)
        row["shown_embedding"].append(_faithfulness(grader, " ".join(shown), result.citations))
        row["model"].append(float(np.mean([c.supported for c in result.checked])) if result.checked else 0.0)
        row["kept"].append(sum(c.supported for c in result.checked) / max(1, len(result.checked)))
        row["notes"].append(float(result.source == "notes"))
        row["citation"].append(float(bool(result.citations) and result.citations[0].item_id == case["item_id"]))
        if result.from_notes:  # the notes' sentences offered as the answer: from the question's own item?
            cited = [int(m.group(1)) for q in result.from_notes if (m := re.search(r"\[(\d+)\]$", q))]
            row["quotes_on_item"].append(float(np.mean([result.citations[n - 1].item_id == case["item_id"]
                                                        for n in cited])) if cited else 0.0)
    out: dict = {"questions": len(cases), "model": client.model, "judge_reads_faithfulness": True}
    for lang, row in rows.items():
        out.update({f"{lang}_{key}": round(float(np.mean(values)), 4) for key, values in row.items()})
    everything = {key: [v for row in rows.values() for v in row[key]] for key in next(iter(rows.values()))}
    out.update({"faithfulness": round(float(np.mean(everything["shown"])), 4),
                "faithfulness_embedding": round(float(np.mean(everything["shown_embedding"])), 4),
                "model_faithfulness": round(float(np.mean(everything["model"])), 4),
                "kept_share": round(float(np.mean(everything["kept"])), 4),
                "notes_fallback_share": round(float(np.mean(everything["notes"])), 4),
                "citation_correctness": round(float(np.mean(everything["citation"])), 4),
                "quotes_on_item": round(float(np.mean(everything["quotes_on_item"])), 4)})
    return out


def _strip_quote(sentence: str) -> str:
    return sentence.removeprefix("- ").strip()


def _quoted(text: str, notes) -> bool:
    """A note sentence quoted verbatim (in the notes' language) is faithful by construction."""
    return any(text.strip() == n.text.strip() for n in notes)


def _faithfulness(grader, answer: str, citations) -> float:
    cited = [s for c in citations for s in sentences(c.text)]
    claims = sentences(answer) or [answer]
    return float(np.mean([max((grader.similarity(claim, s) for s in cited), default=0.0) >= 0.88 for claim in claims]))


def sampling_grid(index_name: str, settings: CoachSettings, questions: int = 2, seeds: int = 3) -> dict:
    """The tutor over T x top-k: quality (faithfulness to the cited notes) against diversity (distinct-2,
    self-BLEU over seeds of one question), and the setting to recommend."""
    from coach.lab.diversity import distinct_n, self_bleu
    from coach.lab.engine import DEFAULT_TEMPERATURES, DEFAULT_TOP_KS

    grader = runtime.grader(settings)
    client = make_client(settings, start=True)
    tutor_engine = runtime.tutor(index_name, settings)
    cases = jsonl("retrieval_seed.jsonl")[1::17][:questions]
    rows = []
    for temperature in DEFAULT_TEMPERATURES:
        for top_k in DEFAULT_TOP_KS:
            quality, d2, bleu = [], [], []
            for case in cases:
                answers = []
                for seed in range(seeds):
                    sampling = SamplingSettings(temperature=temperature, top_k=top_k, top_p=1.0, seed=seed,
                                                max_tokens=80, repetition_penalty=1.0)
                    result = tutor_engine.answer(case["query"], [], client, sampling)
                    answers.append(result.answer)
                    quality.append(_faithfulness(grader, result.answer, result.citations))
                d2.append(distinct_n(answers, 2))
                bleu.append(self_bleu(answers))
            rows.append({"temperature": temperature, "top_k": top_k, "faithfulness": round(float(np.mean(quality)), 4),
                         "distinct_2": round(float(np.mean(d2)), 4), "self_bleu": round(float(np.mean(bleu)), 4)})
    return {"rows": rows, "recommended": recommend(rows), "rule": RECOMMEND_RULE, "model": client.model}


RECOMMEND_RULE = "most faithful among the cells whose distinct-2 is above the median (cells that really vary)"


def recommend(rows: list[dict]) -> dict:
    """Greedy-like cells tie on faithfulness; a setting worth recommending must also vary its wording."""
    median = float(np.median([r["distinct_2"] for r in rows]))
    varied = [r for r in rows if r["distinct_2"] > median] or rows
    best = max(varied, key=lambda r: (r["faithfulness"], r["distinct_2"]))
    return {"temperature": best["temperature"], "top_k": best["top_k"]}


def peer_llamaindex_default(seed: Path, index_name: str, settings: CoachSettings, k: int = 10) -> dict:
    """What a user would build instead: llama-index's defaults (SimpleDirectoryReader, SentenceSplitter
    512, VectorStoreIndex) with all-MiniLM-L6-v2, on the same seed and queries. A retrieved node counts
    for the item whose text it shares the most character 4-grams with."""
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    from index.embedders import make_embedder

    items = runtime.open_index(index_name, settings).loaded.items
    grams = [_four_grams(item.question + item.reference_answer) for item in items]
    documents = SimpleDirectoryReader(input_files=[str(seed)]).load_data()
    model = make_embedder("all-MiniLM-L6-v2", settings.models_dir)
    peer = VectorStoreIndex.from_documents(documents, embed_model=model,
                                           transformations=[SentenceSplitter(chunk_size=512)])
    retriever = peer.as_retriever(similarity_top_k=k)
    cases = jsonl("retrieval_seed.jsonl")
    ranked = []
    for case in cases:
        found = []
        for node in retriever.retrieve(case["query"]):
            text = _four_grams(node.node.get_content())
            found.append(items[int(np.argmax([len(text & g) for g in grams]))].id)
        ranked.append(found)
    return {"pipeline": "SentenceSplitter(512) + VectorStoreIndex + all-MiniLM-L6-v2",
            **retrieval_metrics(ranked, [c["item_id"] for c in cases])}


def _four_grams(text: str) -> set[str]:
    squeezed = "".join(text.split())
    return {squeezed[i : i + 4] for i in range(len(squeezed) - 3)}
