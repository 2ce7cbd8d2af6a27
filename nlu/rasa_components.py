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

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.entities import extract
from nlu.langid import detect_language
from nlu.normalize import arabizi_word, normalize

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
        arabizi = detect_language(text) == "ar" and any("a" <= c <= "z" for c in text.lower())
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
