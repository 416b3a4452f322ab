"""Pipeline components. Importing this package registers every built-in factory."""
from .base import Pipe, TrainablePipe
from .tok2vec import Tok2Vec
from .tagger import Tagger
from .morphologizer import Morphologizer
from .senter import SentenceRecognizer
from .trainable_lemmatizer import EditTreeLemmatizer
from .lemmatizer import Lemmatizer
from .textcat import TextCategorizer
from .sentencizer import Sentencizer
from .parser import TransitionParser
from .entity_ruler import EntityRuler
from .spancat import SpanCategorizer
from .span_finder import SpanFinder
from .span_ruler import SpanRuler
from .attribute_ruler import AttributeRuler

__all__ = ["Pipe", "TrainablePipe", "Tok2Vec", "Tagger", "Morphologizer", "SentenceRecognizer",
           "EditTreeLemmatizer", "Lemmatizer", "TextCategorizer", "Sentencizer", "TransitionParser",
           "EntityRuler", "SpanCategorizer", "SpanFinder", "SpanRuler",
           "AttributeRuler"]
