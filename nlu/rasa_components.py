"""Custom Rasa 3.6 components of the Tawasul pipeline (imported by `nlu/config.yml` by class path).

- `ArabicNormalizer`: placed right after the tokenizer. It rewrites each token's text and lemma with
  `nlu.normalize.normalize` and leaves the token's start/end alone, so every featurizer and classifier
  sees normalised text in training and in serving, while entity offsets still point into the message
  as the user wrote it. Tokens inside a reference, phone or national ID become one placeholder word
  ("__reference__", ...): the classifier learns "a reference was given", not the digits of one.
- `TawasulEntityExtractor`: the deterministic entities of `nlu.entities.extract` (phone, national_id,
  reference, number), with offsets in the original text.

Only this module imports Rasa; it runs in the NLU environment (Python 3.10, `.venv-nlu`), with the
repository root on PYTHONPATH.
"""

from __future__ import annotations

import os
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.entities import extract
from nlu.langid import detect_language
from nlu.normalize import arabizi_word, normalize

# The message's language as the normaliser detected it (not part of the parse result).
LANGUAGE_KEY = "tawasul_language"

# Entities whose digits say nothing about the intent: the classifier sees a placeholder word instead.
MASKED_ENTITIES = ("reference", "phone", "national_id")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ArabicNormalizer(GraphComponent):
    """Normalise token texts in place (alef forms, yaa, taa marbuta, harakat, digits, stretched letters)."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ArabicNormalizer:
        return cls()

    def _normalise(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not tokens:
            return
        text = message.get(TEXT) or ""
        spans = [
            (e["start"], e["end"], f"__{e['entity']}__")
            for e in extract(text)
            if e["entity"] in MASKED_ENTITIES
        ]
        # Arabizi words get one canonical spelling too (only in Arabizi messages: not in English).
        language = detect_language(text)
        message.set(LANGUAGE_KEY, language)  # the gate needs it too: detected once per message
        arabizi = language == "ar" and any("a" <= c <= "z" for c in text.lower())
        for token in tokens:
            new = next(
                (word for start, end, word in spans if start <= token.start and token.end <= end), None
            )
            if new is None:
                new = normalize(token.text)
                if arabizi and new.isascii() and any(c.isalpha() for c in new):
                    new = arabizi_word(new)
            if new:  # a token of only harakat/tatweel keeps its text rather than becoming empty
                token.text = new
                token.lemma = new

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class TawasulEntityExtractor(GraphComponent, EntityExtractorMixin):
    """phone (E.164), national_id (check digit verified), reference, number: by `nlu.entities`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TawasulEntityExtractor:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text: str | None = message.get(TEXT)
            found = self.add_extractor_name(extract(text)) if text else []
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NgramIntentClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier, made cheaper to call (same model, same probabilities).

    - Its weights (classes x ~40k n-gram features) are kept column-major once loaded: scipy
      multiplies the message's sparse row by `coef_.T`, and copied that transposed view into a new
      array (5 MB) on every parse.
    - A message with sparse features only becomes its own row, without the stacking of an empty
      dense block that Rasa does for every message.
    """

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> NgramIntentClassifier:
        import numpy as np

        component = super().load(*args, **kwargs)
        coef = getattr(component.clf, "coef_", None)
        if coef is not None:
            component.clf.coef_ = np.asfortranarray(coef)
        return component  # type: ignore[return-value]

    def _create_X(self, messages: list[Message]) -> Any:
        from scipy.sparse import csr_matrix, vstack

        rows = []
        for message in messages:
            sparse = message.get_sparse_features(attribute=TEXT)[1]
            dense = message.get_dense_features(attribute=TEXT)[1]
            if sparse is None or dense is not None:
                return super()._create_X(messages)
            rows.append(csr_matrix(sparse.features))
        return rows[0] if len(rows) == 1 else vstack(rows, format="csr")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class E5IntentGate(GraphComponent):
    """Placed after the NgramIntentClassifier (with `ranking_length: 0`): re-decides the intent.

    It blends the classifier's probabilities with those of a classifier over multilingual-e5-small
    sentence embeddings, moves probability to out_of_scope for a message far from every in-scope
    training example (novelty), calibrates with a temperature and adds `tawasul` to the parse result:
    `{"urgent": {"score": p, "confident": bool}, "novelty": 1 - similarity}` (see nlu/e5_gate.py).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        from dataclasses import asdict

        from nlu.e5_gate import GateParams

        return {**asdict(GateParams()), "c": 10.0, "ranking_length": 10}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Any = None,
    ) -> None:
        from nlu.e5_gate import GateParams

        self.config = {**self.get_default_config(), **config}
        self.params = GateParams(**{k: self.config[k] for k in GateParams.__dataclass_fields__})
        self._storage = model_storage
        self._resource = resource
        self.model = model
        self._embedder: Any = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5IntentGate:
        return cls(config, model_storage, resource)

    def _embed(self, texts: list[str]) -> Any:
        from nlu.e5_gate import E5Embedder

        if self._embedder is None:
            self._embedder = E5Embedder()
        return self._embedder.embed(texts)

    def train(self, training_data: TrainingData) -> Resource:
        from nlu.e5_gate import fit_gate

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        emb = self._embed([str(e.get(TEXT)) for e in examples])
        self.model = fit_gate(emb, [str(e.get(INTENT)) for e in examples], c=float(self.config["c"]))
        with self._storage.write_to(self._resource) as directory:
            self.model.save(str(directory / "gate.npz"))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> E5IntentGate:
        from nlu.e5_gate import GateModel

        with model_storage.read_from(resource) as directory:
            model = GateModel.load(str(directory / "gate.npz"))
        gate = cls(config, model_storage, resource, model)
        gate._embed(["warm up"])  # load the embedder now, not on the first message
        return gate

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        import numpy as np

        from nlu.e5_gate import URGENT, combine, is_romanised

        if self.model is None:
            return messages
        classes = self.model.classes
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = message.get(INTENT_RANKING_KEY) or []
            if not text.strip() or not ranking:
                continue
            p_lr = np.full(len(classes), 1e-6)
            for item in ranking:
                if item.get("name") in classes:
                    p_lr[classes.index(item["name"])] = float(item["confidence"])
            emb = self._embed([text])
            p_e5 = self.model.probabilities(emb)[0]
            sim = float(self.model.in_scope_similarity(emb, self.params.k)[0])
            romanised = is_romanised(text, message.get(LANGUAGE_KEY) or detect_language(text))
            p = combine(p_lr / p_lr.sum(), p_e5, sim, classes, self.params, romanised)
            order = np.argsort(-p)
            limit = int(self.config["ranking_length"]) or len(classes)
            new_ranking = [{"name": classes[i], "confidence": float(p[i])} for i in order[:limit]]
            urgent = float(p[classes.index(URGENT)]) if URGENT in classes else 0.0
            info: dict[str, Any] = {
                "urgent": {"score": round(urgent, 4), "confident": urgent >= self.params.urgent_confident},
                "novelty": round(1.0 - sim, 4),
            }
            if os.environ.get("TAWASUL_NLU_DEBUG") == "1":
                info["debug"] = {
                    "classes": classes,
                    "p_lr": [float(x) for x in p_lr],
                    "p_e5": [float(x) for x in p_e5],
                    "sim": sim,
                }
            message.set(INTENT, new_ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, new_ranking, add_to_output=True)
            message.set("tawasul", info, add_to_output=True)
        return messages
