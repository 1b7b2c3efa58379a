"""Scoring edge cases: all yes, all no, all not sure, mixed, exactly at the threshold."""

from __future__ import annotations

from flows.scoring import compare, next_actions, score


def answers_for(content, value_by_step):
    return {q.id: value_by_step(s.number) for s in content.steps for q in s.questions}


def test_all_yes(content):
    result = score(content, answers_for(content, lambda n: "yes"))
    assert all(s.percent == 100 and s.ready for s in result.steps)
    assert result.position is None and result.actions == () and result.unsure == 0


def test_all_no(content):
    result = score(content, answers_for(content, lambda n: "no"))
    assert result.position == 1 and result.phase == "get-ready"
    assert len(result.actions) == 5
    assert all(a.step == 1 for a in result.actions[: len(content.step(1).questions)])
    assert result.tools == content.step(1).tools


def test_all_unsure_counts_as_unmet_but_is_reported(content):
    answers = answers_for(content, lambda n: "unsure")
    result = score(content, answers)
    assert result.position == 1 and all(s.percent == 0 for s in result.steps)
    assert result.unsure == content.question_count - len(content.funding.questions)


def test_mixed_position_and_action_order(content):
    answers = answers_for(content, lambda n: "yes" if n <= 3 else "no")
    step4 = content.step(4)
    answers[step4.questions[0].id] = "partly"
    answers[content.step(2).questions[0].id] = "partly"  # step 2 still ready
    result = score(content, answers)
    assert result.position == 4 and result.phase == "get-ready"
    # current step first, weakest answers ("no") before the "partly" one
    expected = [q.id for q in step4.questions[1:]] + [step4.questions[0].id]
    assert [a.question.id for a in result.actions] == expected[:5]


def test_exactly_at_the_threshold_counts_as_ready(content):
    assert content.threshold == 70
    step = content.step(1)
    # 5 questions: 3 yes + 1 partly + 1 no = 350 / 5 = 70
    values = ["yes", "yes", "yes", "partly", "no"]
    assert len(step.questions) == 5
    answers = {q.id: v for q, v in zip(step.questions, values, strict=True)}
    result = score(content, answers)
    assert result.steps[0].percent == 70 and result.steps[0].ready
    assert result.position == 2  # step 2 is unanswered, so not ready


def test_done_actions_are_left_out(content):
    answers = answers_for(content, lambda n: "no")
    first = next_actions(content, answers, 1)
    later = next_actions(content, answers, 1, frozenset({first[0].question.id}))
    assert first[0] not in later and len(later) == len(first) - 1


def quick_answers(content, value_by_step, funding="no"):
    """A quick check: each step's key question, and the funding track's."""
    answers = {s.key_question.id: value_by_step(s.number) for s in content.steps}
    return {**answers, next(q for q in content.funding.questions if q.key).id: funding}


def test_a_cluster_at_step_two_is_never_sent_to_a_partner_workshop(content):
    """The case of issue 26: at step 2 there is no partner yet, so nothing of step 7."""
    for answers in (
        quick_answers(content, lambda n: "yes" if n == 1 else "no"),
        {**answers_for(content, lambda n: "yes" if n == 1 else "no"),
         **{q.id: "partly" for q in content.funding.questions}},
    ):  # fmt: skip
        result = score(content, answers)
        assert result.position == 2
        steps = [a.step for a in result.actions]
        ids = [a.question.id for a in result.actions]
        assert 7 not in steps and "trust-shared-goals" not in ids
        assert set(steps) <= {2, 3, 0} and steps[0] == 2 and steps[-1] == 0
        assert steps == sorted(steps, key=lambda n: n or 99)  # journey order, funding alongside
        assert 3 <= len(result.actions) <= 5


def test_the_next_step_waits_for_what_it_presupposes(content):
    """Step 4 presupposes steps 2 and 3: at step 3 only step 3 (and funding) comes next."""
    assert set(content.needs(4)) == {2, 3} and content.needs(3) == (1,)
    answers = answers_for(content, lambda n: "yes" if n <= 2 else "no")
    result = score(content, answers)
    assert result.position == 3
    assert {a.step for a in result.actions} == {3}
    quick = score(content, quick_answers(content, lambda n: "yes" if n == 1 else "no"))
    assert [a.step for a in quick.actions] == [2, 3, 0]  # step 3 needs only step 1: it follows


def test_comparison(content):
    before = score(content, answers_for(content, lambda n: "no"))
    after = score(content, answers_for(content, lambda n: "yes" if n <= 2 else "no"))
    diff = compare(after, before.percents, before.position)
    assert diff.moved == 2 and diff.changes == ((1, 100), (2, 100))
    back = compare(before, after.percents, after.position)
    assert back.moved == -2
