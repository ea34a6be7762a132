"""Questions about owners and deadlines (issue 20): what the question asks is read from its
words (intents.yaml), the year and unit it names become filters, and measures that can answer
come before titles and 前言 paragraphs. Hits carry their text and highlight offsets into it."""

from __future__ import annotations

import dataclasses

import pytest

from search_api.index.indexing import update_index
from search_api.search.engine import SearchEngine
from search_api.search.intent import intent_rules, read_intent
from search_api.search.ranking import SearchTuning

from tests.search_api.search_fixtures import FakeRegistry, Measure, fake_settings, make_document, small_corpus

RULES = intent_rules()


@pytest.mark.parametrize("question", RULES.owner.examples)
def test_owner_examples_are_owner_questions(question: str) -> None:
    assert read_intent(question).owner


@pytest.mark.parametrize("question", RULES.owner.counter_examples)
def test_owner_counter_examples_are_not(question: str) -> None:
    assert not read_intent(question).owner


@pytest.mark.parametrize("question", RULES.deadline.examples)
def test_deadline_examples_are_deadline_questions(question: str) -> None:
    assert read_intent(question).deadline


@pytest.mark.parametrize("question", RULES.deadline.counter_examples)
def test_deadline_counter_examples_are_not(question: str) -> None:
    intent = read_intent(question)
    assert not intent.deadline and intent.year is None  # a target's year is no deadline filter


@pytest.mark.parametrize(
    ("question", "year", "unit", "role"),
    [
        ("2025年底前要完成哪些任务", 2025, None, None),
        ("哪些任务要在2024 年前完成", 2024, None, None),
        ("到2025年园区工业总产值达到多少", None, None, None),
        ("区人社局牵头哪些任务", None, "区人社局", "lead"),
        ("区人社局配合的任务", None, "区人社局", None),
        ("局里谁牵头", None, None, None),  # too short a name to be a unit filter
    ],
)
def test_filters_read_from_the_question(question, year, unit, role) -> None:
    intent = read_intent(question, known_units={"区人社局", "区财政局", "局里"})
    assert (intent.year, intent.unit, intent.unit_role) == (year, unit, role)


# ----------------------------------------------------------------------------- ranking

JOBS = [
    Measure("一、", "开发公益性岗位", "围绕稳就业，开发一批城乡公益性岗位，兜底安置就业困难人员。",
            ("区人社局",), ("区财政局",)),
    Measure("二、", "开展职业技能培训", "面向重点群体开展补贴性职业技能培训。", ("区人社局",), ()),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> SearchEngine:
    jobs, tasks = make_document("doc-jobs", "关于做好稳就业工作的通知", "正式",
                                "稳就业是稳经济、保民生的重要内容。为做好稳就业工作，现通知如下。", JOBS)
    settings = fake_settings(tmp_path_factory.mktemp("intent"))
    update_index(settings, FakeRegistry([*small_corpus(), (jobs, tasks, [])]))
    return SearchEngine(settings)


def test_owner_question_ranks_the_measure_above_the_title(engine: SearchEngine) -> None:
    response = engine.search("稳就业谁牵头", k=3)
    assert response.hits[0].card.item_id == "doc-jobs:一"
    assert response.hits[0].card.lead[0].canonical == "区人社局"


def test_without_the_preference_the_preamble_wins(engine: SearchEngine) -> None:
    """The test above can fail: without measures first, the 前言 that repeats 稳就业 twice
    ranks first."""
    plain = dataclasses.replace(SearchTuning(), intent_first=False)
    assert engine.search("稳就业谁牵头", k=3, tuning=plain).hits[0].card.kind == "context"


def test_deadline_question_reads_its_year_and_answers_with_measures(engine: SearchEngine) -> None:
    response = engine.search("2025年底前要完成哪些任务", k=5)
    assert response.filters.year == 2025 and response.filters_from_query == ("year",)
    assert {h.card.item_id for h in response.hits} == {"doc-16tiao:十二", "doc-tongzhi:7."}
    assert not response.no_answer  # the year was the whole question, and it is answered


def test_a_topic_the_filtered_hits_lack_is_still_no_answer(engine: SearchEngine) -> None:
    assert engine.search("火星基地2025年底前要完成哪些任务", k=5).no_answer


def test_a_unit_named_in_the_question_filters(engine: SearchEngine) -> None:
    response = engine.search("区人社局牵头哪些任务", k=5)
    assert (response.filters.unit, response.filters.role) == ("区人社局", "lead")
    assert {h.card.item_id for h in response.hits} == {"doc-jobs:一", "doc-jobs:二"}


def test_a_filter_the_user_gave_is_kept(engine: SearchEngine) -> None:
    from search_api.schemas import SearchFilters

    response = engine.search("2025年底前要完成哪些任务", k=5, filters=SearchFilters(year=2026))
    assert response.filters.year == 2026 and response.filters_from_query == ()
    assert [h.card.item_id for h in response.hits] == ["doc-16tiao:十五"]


# ----------------------------------------------------------------------------- hit text


def test_hits_carry_their_text_and_highlights_into_it(engine: SearchEngine) -> None:
    response = engine.search("融资增信", k=3)
    hit = response.hits[0]
    doc = dict((d.doc_id, d) for d, _, _ in small_corpus())[hit.card.doc_id]
    assert hit.card.item_id == "doc-16tiao:十五"
    assert hit.text_span is not None and doc.text[hit.text_span.start:hit.text_span.end] == hit.text
    marked = {hit.text[h.start:h.end] for h in hit.highlights}
    assert "融资增信" in marked or {"融资", "增信"} <= marked
    for h in hit.highlights:
        assert 0 <= h.start < h.end <= len(hit.text)


def test_a_context_hit_carries_the_passage_that_matched(engine: SearchEngine) -> None:
    response = engine.search("进出口实绩企业", k=5)
    context = next(h for h in response.hits if h.card.kind == "context")
    assert "进出口实绩企业" in context.text
    assert any(context.text[h.start:h.end] in "进出口实绩企业" for h in context.highlights)


@pytest.mark.parametrize(("question", "topic"), [
    ("2025年底前要完成哪些任务", []),
    ("哪些任务要在2025年前完成", []),
    ("2026年底前需要完成的工作", []),
    ("火星基地2025年底前要完成哪些任务", ["火星", "基地"]),
    ("市财政局牵头哪些任务", []),
])
def test_topic_words_are_what_is_left_beside_the_filters(question: str, topic: list[str]) -> None:
    """Tokens come from the search's own tokenizer (年底 / 前要 / 完成), so this guards the
    question_words of intents.yaml against a tokenizer that cuts differently."""
    from search_api.search.intent import topic_words
    from search_api.search.ranking import plan_query
    from search_api.sparse.sparse import frame_words

    plan = plan_query(question)
    intent = read_intent(plan.simplified, known_units={"市财政局"})
    assert topic_words(plan.own_terms, intent, frame_words()) == topic
