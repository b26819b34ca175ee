"""Evaluation of grooming-risk triage on the synthetic corpus (``bench/chats_corpus``).

Per cue: precision and recall over messages (a message counts once per cue). Per
conversation: whether every ordinary conversation ranks below every conversation written with
two or more cues, and how early the alert comes. The alert is raised at the message where a
conversation first shows two distinct cues (``chats.triage.ALERT_CUES``); its position is
compared with the first message at which two cues were written (the ground truth), and
summarised with the latency-weighted F1 of Vogt et al. (ACL 2021, after Sadeque et al. 2018):
``penalty(k) = -1 + 2 / (1 + exp(-p (k - 1)))`` for an alert after ``k`` messages, ``speed =
1 - median penalty`` over true alerts, ``F_latency = F1 x speed``, with ``p`` such that the
penalty is 0.5 at the median length of the risky conversations.

    python -m bench.chats_triage [--per-language 40] [--seed 7] [--held-out] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from typing import Any

from bench.chats_corpus.build import Chat, corpus
from interlink.chats.triage import ALERT_CUES, CUES, assess, detect
from interlink.domain.chats import CueHit


def _truth_alert(chat: Chat) -> int | None:
    seen: set[str] = set()
    for index, line in enumerate(chat.lines):
        seen |= line.cues
        if len(seen) >= ALERT_CUES:
            return index + 1
    return None


def evaluate(chats: list[Chat]) -> dict[str, Any]:
    """Every figure of the evaluation as one JSON-ready mapping."""
    counts = {cue: [0, 0, 0] for cue in CUES}  # tp, fp, fn
    scored: list[tuple[Chat, float, int | None]] = []
    misses: dict[str, list[str]] = {cue: [] for cue in CUES}
    false: dict[str, list[str]] = {cue: [] for cue in CUES}
    for chat in chats:
        hits: list[CueHit] = []
        ages: list[tuple[str, int]] = []
        for index, line in enumerate(chat.lines):
            found = detect(line.text)
            predicted = {d.cue for d in found}
            for cue in CUES:
                if cue in predicted and cue in line.cues:
                    counts[cue][0] += 1
                elif cue in predicted:
                    counts[cue][1] += 1
                    false[cue].append(line.text)
                elif cue in line.cues:
                    counts[cue][2] += 1
                    misses[cue].append(line.text)
            hits += [CueHit(d.cue, index, str(index), d.spans) for d in found]
            ages += [(line.sender, d.age) for d in found if d.age is not None]
        risk = assess(hits, ages)
        scored.append((chat, risk.score, risk.first_alert))
    per_cue = {}
    for cue, (tp, fp, fn) in counts.items():
        per_cue[cue] = {
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            "support": tp + fn,
            "missed": sorted(set(misses[cue])),
            "false_alarms": sorted(set(false[cue])),
        }
    two_cue = [s for c, s, _ in scored if len(c.cues) >= ALERT_CUES]
    plain = [s for c, s, _ in scored if not c.risky]
    risky = [(c, a) for c, _, a in scored if c.risky]
    flagged_true = [(c, a) for c, a in risky if a is not None]
    flagged_false = sum(1 for c, _, a in scored if not c.risky and a is not None)
    precision = len(flagged_true) / (len(flagged_true) + flagged_false) if flagged_true else 0.0
    recall = len(flagged_true) / len(risky) if risky else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    median_length = statistics.median(len(c.lines) for c, _ in risky)
    slope = math.log(3) / max(1.0, median_length - 1)
    penalties = [-1 + 2 / (1 + math.exp(-slope * (a - 1))) for _, a in flagged_true if a]
    speed = 1 - statistics.median(penalties) if penalties else 0.0
    delays = [a - t for c, a in flagged_true if a and (t := _truth_alert(c))]
    return {
        "conversations": len(chats),
        "risky": len(risky),
        "ordinary": len(plain),
        "per_cue": per_cue,
        "ranking": {
            "lowest_two_cue_score": min(two_cue) if two_cue else None,
            "highest_ordinary_score": max(plain) if plain else None,
            "ordinary_below_every_two_cue": bool(two_cue and plain and max(plain) < min(two_cue)),
        },
        "alert": {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "speed": round(speed, 3),
            "f_latency": round(f1 * speed, 3),
            "median_first_alert": statistics.median(a for _, a in flagged_true if a)
            if flagged_true
            else None,
            "median_length": median_length,
            "median_delay_after_truth": statistics.median(delays) if delays else None,
        },
    }


def main(argv: list[str] | None = None) -> None:
    """Run the evaluation and print it (one JSON object with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-language", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--held-out", action="store_true", help="phrase the cues with the held-out set"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = evaluate(corpus(args.per_language, args.seed, held_out=args.held_out))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"{result['conversations']} conversations ({result['risky']} risky)")
    for cue, row in result["per_cue"].items():
        print(
            f"  {cue:14} precision {row['precision']}  recall {row['recall']}  (n={row['support']})"
        )
        for text in row["missed"]:
            print(f"      missed: {text}")
        for text in row["false_alarms"]:
            print(f"      false:  {text}")
    print("ranking", result["ranking"])
    print("alert", result["alert"])


if __name__ == "__main__":
    main()
