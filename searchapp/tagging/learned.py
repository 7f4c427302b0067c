"""Topics learned from the archive's curated tags: a linear text classifier.

The topics that librarians gave, and those that sources gave (through the crosswalk onto
the taxonomy), are the examples. One binary classifier per concept (one-vs-rest) reads the
tf-idf of the title and body (words and word pairs) and gives a calibrated confidence; a
concept is assigned when its confidence reaches the threshold chosen by cross-validation.
Concepts with fewer than MIN_EXAMPLES examples are left to the rules (searchapp.tagging.topics),
which stay the fallback for every concept the model does not know.

Which articles teach: every article with a curated topic, every article a librarian removed a
topic from, and the untagged articles of a publication that gives topics (Reuters gives them
to the stories they apply to: a story of theirs without one is an example of "none of
these"). Articles of publications that give no topics teach nothing: nobody judged them.

The model is saved in the instance folder (MODEL_FILE, see searchapp.topic_training.model_path).
It is a pickle, so only a file this application wrote is loaded; a model written under another
model format or scikit-learn version is refused (ModelRefused) before it is unpickled, with a
message saying to train again.
"""

from __future__ import annotations

import gzip
import os
import pickle
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC

from ..model import Article

MODEL_FILE = "topic_model.pkl.gz"
# Raised when what is saved changes shape: an older file is then refused, not misread.
MODEL_FORMAT = 1
# A concept needs this many curated examples to be learned. With 3-fold cross-validation
# (and 3-fold calibration inside each fold) fewer leave a fold with one or two positives:
# its confidence cannot be calibrated and its measured precision moves by 0.05 or more per
# story, too uncertain to say the model beats the rule. Below it the rules tag the concept.
MIN_EXAMPLES = 20
FOLDS = 3
# The classifiers compared by cross-validation (name -> factory); the best micro-F1 wins.
# A linear SVM's margins are turned into confidences by a sigmoid per topic (Platt scaling),
# fitted on the cross-validation's out-of-fold margins: no extra fits for calibration.
CANDIDATES: dict[str, Callable[[], object]] = {
    "linear-svm": lambda: LinearSVC(C=1.0),
    "logistic-regression": lambda: LogisticRegression(C=10.0, solver="liblinear"),
}
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.10, 0.91, 0.05))
# A confidence this close to the threshold (either side) is a suggestion for a librarian.
UNSURE_MARGIN = 0.15


class ModelRefused(RuntimeError):
    """The saved model was written by another version: it must be trained again."""


@dataclass(frozen=True)
class Example:
    title: str
    body: str
    concepts: frozenset[str]


@dataclass(frozen=True)
class ConceptScore:
    concept: str
    examples: int  # curated articles with the concept
    precision: float  # cross-validated, at the chosen threshold
    recall: float


@dataclass
class Evaluation:
    """What cross-validation on the training articles found."""

    classifier: str
    threshold: float
    micro_precision: float
    micro_recall: float
    micro_f1: float
    concepts: list[ConceptScore] = field(default_factory=list)
    too_few: dict[str, int] = field(default_factory=dict)  # concept -> examples (rules keep it)
    articles: int = 0
    compared: dict[str, float] = field(default_factory=dict)  # classifier -> its best micro-F1


def text_of(title: str, body: str) -> str:
    return f"{title}\n{body}"


def vectorizer() -> TfidfVectorizer:
    # Sublinear tf: a word said ten times is not ten times the evidence. Words in fewer than
    # two articles, or in more than half of them, say nothing a classifier can reuse.
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.5,
                           dtype=np.float32)


@dataclass(frozen=True)
class Sigmoid:
    """Per-topic Platt scaling of margins: confidence = 1 / (1 + exp(-(slope * m + bias)))."""

    slope: np.ndarray
    bias: np.ndarray

    def __call__(self, margins: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(margins * self.slope + self.bias)))


class TopicModel:
    """A trained classifier: concept ids with a confidence for a title and body."""

    def __init__(self, concepts: list[str], threshold: float, vec: TfidfVectorizer,
                 classifier: OneVsRestClassifier, evaluation: Evaluation,
                 sigmoid: Sigmoid | None = None):
        self.concepts = concepts
        self.threshold = threshold
        self.vectorizer = vec
        self.classifier = classifier
        self.evaluation = evaluation
        self.sigmoid = sigmoid  # None: the classifier gives probabilities itself

    def confidences(self, title: str, body: str) -> dict[str, float]:
        """Every known concept's confidence (0..1) for this text."""
        return self.confidences_many([(title, body)])[0]

    def confidences_many(self, texts: list[tuple[str, str]]) -> list[dict[str, float]]:
        x = self.vectorizer.transform([text_of(t, b) for t, b in texts])
        proba = confidences(self.classifier, x, self.sigmoid)
        return [dict(zip(self.concepts, map(float, row), strict=True)) for row in proba]

    def predict(self, title: str, body: str) -> list[tuple[str, float]]:
        """The concepts that reach the threshold with their confidence, best first."""
        found = [(c, p) for c, p in self.confidences(title, body).items() if p >= self.threshold]
        return sorted(found, key=lambda cp: cp[1], reverse=True)

    def unsure(self, confidences: dict[str, float]) -> dict[str, float]:
        """The concepts whose confidence is close to the threshold: a librarian's call."""
        return {c: p for c, p in confidences.items() if abs(p - self.threshold) < UNSURE_MARGIN}


# -- the examples ----------------------------------------------------------------------------


def examples_from(articles: Iterable[Article], to_concept: Callable[[Article, str], str | None],
                  removed: dict[str, set[str]] | None = None) -> list[Example]:
    """The training examples among `articles` (see the module docstring for which).

    `to_concept(article, value)` maps a curated topic value onto a taxonomy concept (None: not
    mapped, not learned); `removed` maps an article id to the topics a librarian removed."""
    removed = removed or {}
    kept: list[tuple[Article, frozenset[str]]] = []
    topical: set[str | None] = set()  # publications that give topics
    for article in articles:
        concepts = frozenset(c for c in (to_concept(article, t.value) for t in article.tags
                                         if t.facet == "topic" and t.origin != "auto") if c)
        if any(t.facet == "topic" and t.origin == "source" for t in article.tags):
            topical.add(article.publication)
        kept.append((article, concepts))
    return [Example(a.title, a.body, concepts) for a, concepts in kept
            if concepts or a.id in removed or a.publication in topical]


# -- training ----------------------------------------------------------------------------------


def learnable(examples: list[Example], minimum: int = MIN_EXAMPLES) -> tuple[list[str], dict[str, int]]:
    """(concepts with enough examples, {concept: examples} of those left to the rules)."""
    counts = Counter(c for e in examples for c in e.concepts)
    return (sorted(c for c, n in counts.items() if n >= minimum),
            {c: n for c, n in sorted(counts.items()) if n < minimum})


def train(examples: list[Example], minimum: int = MIN_EXAMPLES,
          candidates: dict[str, Callable[[], object]] | None = None,
          progress: Callable[[str], None] | None = None) -> TopicModel:
    """Choose the classifier and threshold by cross-validation, then fit on all `examples`."""
    candidates = candidates or CANDIDATES
    concepts, too_few = learnable(examples, minimum)
    if not concepts:
        raise ValueError(f"no topic has {minimum} curated examples yet: nothing to learn")
    labels = MultiLabelBinarizer(classes=concepts)
    y = labels.fit_transform([sorted(e.concepts & set(concepts)) for e in examples])
    texts = [text_of(e.title, e.body) for e in examples]
    best: tuple[Evaluation, Sigmoid | None] | None = None
    compared = {}
    for name, make in candidates.items():
        if progress:
            progress(f"cross-validating {name} ({FOLDS} folds, {len(concepts)} topics)")
        evaluation, sigmoid = cross_validate(texts, y, concepts, name, make)
        compared[name] = evaluation.micro_f1
        if best is None or evaluation.micro_f1 > best[0].micro_f1:
            best = evaluation, sigmoid
    assert best is not None
    chosen, sigmoid = best
    chosen.too_few, chosen.articles, chosen.compared = too_few, len(examples), compared
    if progress:
        progress(f"training {chosen.classifier} on {len(examples)} articles")
    vec = vectorizer()
    classifier = OneVsRestClassifier(candidates[chosen.classifier]()).fit(vec.fit_transform(texts), y)
    return TopicModel(concepts, chosen.threshold, vec, classifier, chosen, sigmoid)


def gives_probabilities(classifier: OneVsRestClassifier) -> bool:
    return hasattr(classifier.estimator, "predict_proba")


def confidences(classifier: OneVsRestClassifier, x, sigmoid: Sigmoid | None) -> np.ndarray:
    if sigmoid is None:
        return classifier.predict_proba(x)
    return sigmoid(_margins(classifier, x))


def _margins(classifier: OneVsRestClassifier, x) -> np.ndarray:
    margins = classifier.decision_function(x)
    return margins.reshape(-1, 1) if margins.ndim == 1 else margins


def cross_validate(texts: list[str], y: np.ndarray, concepts: list[str], name: str,
                   make: Callable[[], object]) -> tuple[Evaluation, Sigmoid | None]:
    """Out-of-fold scores for every article (margins turned into confidences by a sigmoid
    fitted on them, for a classifier that gives no probabilities), then the threshold with
    the best micro-F1. -> (the evaluation, the sigmoid or None)."""
    scores = np.zeros(y.shape, dtype=np.float64)
    calibrated = True
    for train_rows, test_rows in KFold(FOLDS, shuffle=True, random_state=0).split(texts):
        vec = vectorizer()
        model = OneVsRestClassifier(make()).fit(vec.fit_transform([texts[i] for i in train_rows]),
                                                y[train_rows])
        x_test = vec.transform([texts[i] for i in test_rows])
        calibrated = gives_probabilities(model)
        scores[test_rows] = model.predict_proba(x_test) if calibrated else _margins(model, x_test)
    sigmoid = None if calibrated else fit_sigmoid(scores, y)
    proba = scores if sigmoid is None else sigmoid(scores)
    threshold = max(THRESHOLDS, key=lambda t: _micro(y, proba >= t)[2])
    return _evaluation(name, threshold, y, proba >= threshold, concepts), sigmoid


def fit_sigmoid(margins: np.ndarray, y: np.ndarray) -> Sigmoid:
    """Platt scaling per topic: a one-feature logistic regression of the label on the margin."""
    slope, bias = np.ones(y.shape[1]), np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        if 0 < y[:, j].sum() < len(y):
            fit = LogisticRegression(C=1e4).fit(margins[:, j:j + 1], y[:, j])
            slope[j], bias[j] = fit.coef_[0, 0], fit.intercept_[0]
    return Sigmoid(slope, bias)


def _micro(y: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    tp = int((predicted & (y == 1)).sum())
    fp = int((predicted & (y == 0)).sum())
    fn = int((~predicted & (y == 1)).sum())
    return _ratio(tp, tp + fp), _ratio(tp, tp + fn), _ratio(2 * tp, 2 * tp + fp + fn)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _evaluation(name: str, threshold: float, y: np.ndarray, predicted: np.ndarray,
                concepts: list[str]) -> Evaluation:
    scores = []
    for j, concept in enumerate(concepts):
        p, r, _ = _micro(y[:, j:j + 1], predicted[:, j:j + 1])
        scores.append(ConceptScore(concept, int(y[:, j].sum()), p, r))
    precision, recall, f1 = _micro(y, predicted)
    return Evaluation(name, threshold, precision, recall, f1, scores)


# -- saving and loading ------------------------------------------------------------------------


def _versions() -> dict:
    return {"format": MODEL_FORMAT, "scikit-learn": sklearn.__version__}


def save_model(model: TopicModel, path: Path) -> None:
    """Write the model beside the database, replacing the old one in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with gzip.open(tmp, "wb") as f:
        # The versions first, the model as bytes: a reader checks them before unpickling it.
        pickle.dump({**_versions(), "model": pickle.dumps(model)}, f)
    os.replace(tmp, path)


def load_model(path: Path) -> TopicModel:
    """The saved model; ModelRefused when another version wrote it."""
    with gzip.open(path, "rb") as f:
        saved = pickle.load(f)
    wanted = _versions()
    found = {k: saved.get(k) for k in wanted} if isinstance(saved, dict) else {}
    if found != wanted:
        raise ModelRefused(
            f"the topic model {path} was written by another version (model format "
            f"{found.get('format')}, scikit-learn {found.get('scikit-learn')}; this version "
            f"uses format {wanted['format']}, scikit-learn {wanted['scikit-learn']}): "
            "run `searchapp topics learn` to train it again")
    model = pickle.loads(saved["model"])
    if not isinstance(model, TopicModel):
        raise ModelRefused(f"{path} holds no topic model: run `searchapp topics learn`")
    return model
