"""Measure the objective check against labelled objectives.

Pure functions: read JSONL, compare labels, compute accuracy and per-class precision,
recall and F1, and render a plain-text report. The rewrite set is measured separately: a
rewrite is acceptable when the check offers a suggestion for a want/tell objective and that
suggestion itself checks as ``learning`` or ``action``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aimfire.domain.objective import Label, ObjectiveCheck, check_objective

LABEL_ORDER: tuple[str, ...] = tuple(label.value for label in Label)
REWRITE_RULES = ("want_framing", "tell_mode")


@dataclass(frozen=True, slots=True)
class LabelledObjective:
    text: str
    label: str
    channel: str | None = None
    industry: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Misclassified:
    example: LabelledObjective
    predicted: str


@dataclass(frozen=True, slots=True)
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    total: int
    correct: int
    per_class: dict[str, ClassScores]
    confusion: dict[str, dict[str, int]]  # expected label -> predicted label -> count
    misclassified: list[Misclassified] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class RewriteExample:
    text: str
    acceptable_rewrite: str


@dataclass(frozen=True, slots=True)
class RewriteOutcome:
    example: RewriteExample
    suggestion: str | None
    suggestion_label: str | None

    @property
    def acceptable(self) -> bool:
        return self.suggestion_label in {Label.LEARNING.value, Label.ACTION.value}


@dataclass(frozen=True, slots=True)
class RewriteReport:
    outcomes: list[RewriteOutcome]

    @property
    def acceptable_rate(self) -> float:
        if not self.outcomes:
            return 0.0
        return sum(outcome.acceptable for outcome in self.outcomes) / len(self.outcomes)


def _read_jsonl(path: str | Path) -> list[dict[str, str]]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def load_labelled(path: str | Path) -> list[LabelledObjective]:
    """One JSON object a line: text, label, and optionally channel, industry, note."""
    examples = []
    for row in _read_jsonl(path):
        if row["label"] not in LABEL_ORDER:
            raise ValueError(f"unknown label {row['label']!r} for {row['text']!r}")
        examples.append(
            LabelledObjective(
                text=row["text"],
                label=row["label"],
                channel=row.get("channel"),
                industry=row.get("industry"),
                note=row.get("note"),
            )
        )
    return examples


def load_rewrites(path: str | Path) -> list[RewriteExample]:
    return [RewriteExample(row["text"], row["acceptable_rewrite"]) for row in _read_jsonl(path)]


def _scores(expected: Sequence[str], predicted: Sequence[str], label: str) -> ClassScores:
    pairs = list(zip(expected, predicted, strict=True))
    true_positive = sum(e == label and p == label for e, p in pairs)
    predicted_count = sum(p == label for p in predicted)
    support = sum(e == label for e in expected)
    precision = true_positive / predicted_count if predicted_count else 0.0
    recall = true_positive / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClassScores(precision, recall, f1, support)


def evaluate(examples: Iterable[LabelledObjective]) -> EvaluationReport:
    examples = list(examples)
    expected = [example.label for example in examples]
    predicted = [
        check_objective(example.text, channel=example.channel).label.value for example in examples
    ]
    confusion = {e: dict.fromkeys(LABEL_ORDER, 0) for e in LABEL_ORDER}
    for e, p in zip(expected, predicted, strict=True):
        confusion[e][p] += 1
    misclassified = [
        Misclassified(example, p)
        for example, p in zip(examples, predicted, strict=True)
        if example.label != p
    ]
    return EvaluationReport(
        total=len(examples),
        correct=len(examples) - len(misclassified),
        per_class={label: _scores(expected, predicted, label) for label in LABEL_ORDER},
        confusion=confusion,
        misclassified=misclassified,
    )


def _rewrite_outcome(example: RewriteExample) -> RewriteOutcome:
    result: ObjectiveCheck = check_objective(example.text)
    suggestion = next(
        (f.suggestion for f in result.findings if f.rule in REWRITE_RULES and f.suggestion),
        None,
    )
    label = check_objective(suggestion).label.value if suggestion else None
    return RewriteOutcome(example, suggestion, label)


def evaluate_rewrites(examples: Iterable[RewriteExample]) -> RewriteReport:
    return RewriteReport([_rewrite_outcome(example) for example in examples])


def format_report(report: EvaluationReport) -> str:
    """A plain-text table: accuracy, per-class scores, confusion matrix, misclassified."""
    lines = [f"accuracy {report.accuracy:.3f} ({report.correct}/{report.total})", ""]
    lines.append(f"{'label':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    for label, s in report.per_class.items():
        lines.append(
            f"{label:<10}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>10.3f}{s.support:>10}"
        )
    lines += ["", "confusion (rows expected, columns predicted)"]
    lines.append(f"{'':<10}" + "".join(f"{label:>10}" for label in LABEL_ORDER))
    for expected, row in report.confusion.items():
        lines.append(f"{expected:<10}" + "".join(f"{row[p]:>10}" for p in LABEL_ORDER))
    if report.misclassified:
        lines += ["", "misclassified"]
        lines += [
            f"  expected {m.example.label:<9} got {m.predicted:<9} {m.example.text!r}"
            for m in report.misclassified
        ]
    return "\n".join(lines)
