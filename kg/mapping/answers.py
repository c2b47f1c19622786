"""Triples of a recorded answer (:class:`kg.model.RecordedAnswer`; :mod:`kg.answers` writes them).

Shape of an answer ``A``, the ask activity ``Q`` that produced it, and its citations::

    A a pr:Answer, prov:Entity ; pr:queryText ; pr:answerText ;
      prov:wasDerivedFrom S1, S2 ... ; pr:querySettings (rdf:JSON) ;
      prov:generatedAtTime ; prov:wasGeneratedBy Q ; pr:citation C1, C2 ...
    Q a prov:Activity ; prov:used S1, S2 ... ; prov:endedAtTime ;
      prov:wasAssociatedWith <agent/software/provrag> [, <agent/software/<model or url>>] ;
      pr:generatorName ; [pr:modelName]
    C a pr:Citation ; pr:sentence ; pr:citedSample S ; pr:position n ; [pr:score]

``Q`` is ``<A>/ask`` and ``C`` is ``<A>/citation/<n>``, n the 0-based position of the
sentence in the answer (as ``pr:position``).
"""

from __future__ import annotations

from kg import ids
from kg.mapping import RDFS, A, iri, json_lit, lit, pr, prov
from kg.mapping.activity import activity_triples
from kg.model import EXTRACTIVE, RecordedAnswer


def ask_iri(answer_iri: str) -> str:
    """The activity that produced an answer."""
    return f"{answer_iri}/ask"


def citation_iri(answer_iri: str, position: int) -> str:
    return f"{answer_iri}/citation/{position}"


def answer_triples(answer: RecordedAnswer) -> list[str]:
    """N-Triples statements (without the final `` .``) for ``answer``."""
    node = ids.answer_iri(answer.id)
    a = iri(node)
    q = iri(ask_iri(node))
    out = [
        f"{a} {A} {pr('Answer')}",
        f"{a} {A} {prov('Entity')}",
        f"{a} {pr('queryText')} {lit(answer.query)}",
        f"{a} {pr('answerText')} {lit(answer.text)}",
        f"{a} {pr('querySettings')} {json_lit(answer.settings)}",
        f"{a} {prov('generatedAtTime')} {lit(answer.created)}",
        f"{a} {prov('wasGeneratedBy')} {q}",
        *activity_triples(q, None, ended=answer.created),
        f"{q} {pr('generatorName')} {lit(answer.generator)}",
    ]
    if answer.model is not None:
        out.append(f"{q} {pr('modelName')} {lit(answer.model)}")
    if answer.generator != EXTRACTIVE:
        name = answer.model or answer.generator
        gen_agent = iri(ids.agent_iri("software", name))
        out += [
            f"{q} {prov('wasAssociatedWith')} {gen_agent}",
            f"{gen_agent} {A} {prov('SoftwareAgent')}",
            f"{gen_agent} {A} {prov('Agent')}",
            f"{gen_agent} <{RDFS}label> {lit(name)}",
        ]
    for sample in dict.fromkeys(s.sample_iri for s in answer.sentences):
        out += [
            f"{a} {prov('wasDerivedFrom')} {iri(sample)}",
            f"{q} {prov('used')} {iri(sample)}",
        ]
    for position, sentence in enumerate(answer.sentences):
        c = iri(citation_iri(node, position))
        out += [
            f"{a} {pr('citation')} {c}",
            f"{c} {A} {pr('Citation')}",
            f"{c} {pr('sentence')} {lit(sentence.text)}",
            f"{c} {pr('citedSample')} {iri(sentence.sample_iri)}",
            f"{c} {pr('position')} {lit(position)}",
        ]
        if sentence.score is not None:
            out.append(f"{c} {pr('score')} {lit(float(sentence.score))}")
    return out
