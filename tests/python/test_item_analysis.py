"""The item analysis's 27 % groups are the average over random tie-breaks.

README "Item analysis": the upper (lower) group is the round(0.27 n) first attempts of
a quiz with the highest (lowest) totals, and attempts tied on the total at the cut
share the places left, each with weight (places left) / (attempts tied): its chance of
being in the group when the tie is broken at random. So a group's share correct in
marts.fct_quiz_question_stats must equal the average, over random orders of the tied
attempts, of the share correct among the k attempts that order puts in the group.

This test draws those orders (Monte Carlo, a fixed seed) on the sample build, from the
responses and totals alone, and compares each question's averaged group rates with
the mart's, within five standard errors of the draws' mean. An ordering by any fixed
key (the former tie-break by attempt_id) lands outside for many questions. The
average of the rates equals the rate of the weighted sums when every first attempt of
the quiz answered the question (the group then always has k responses): the test
keeps those questions and checks that they are nearly all of them.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import numpy as np

DRAWS = 4000

RESPONSES = """
    select quiz_id, attempt_id, question_id, is_correct, total_correct_count
    from intermediate.int_quiz_first_attempt_responses_totalled
    order by quiz_id, attempt_id, question_id
"""
STATS = """
    select question_id, upper_group_correct_rate, lower_group_correct_rate,
        upper_group_responses_count, lower_group_responses_count
    from marts.fct_quiz_question_stats
    where responses_count > 0
"""


Quiz = tuple[list, list, np.ndarray, np.ndarray]


def _quizzes(con: duckdb.DuckDBPyConnection) -> dict[str, Quiz]:
    """quiz -> (attempts, questions answered by every attempt, totals, item matrix)."""
    rows = defaultdict(list)
    for quiz, attempt, question, correct, total in con.execute(RESPONSES).fetchall():
        rows[quiz].append((attempt, question, bool(correct), int(total)))
    quizzes = {}
    for quiz, responses in rows.items():
        attempts = sorted({a for a, _, _, _ in responses})
        answered = defaultdict(set)
        for attempt, question, _, _ in responses:
            answered[question].add(attempt)
        questions = sorted(q for q, who in answered.items() if len(who) == len(attempts))
        index = {a: i for i, a in enumerate(attempts)}
        column = {q: j for j, q in enumerate(questions)}
        totals = np.zeros(len(attempts))
        items = np.zeros((len(attempts), len(questions)))
        for attempt, question, correct, total in responses:
            totals[index[attempt]] = total
            if question in column:
                items[index[attempt], column[question]] = correct
        quizzes[quiz] = (attempts, questions, totals, items)
    return quizzes


def _group_size(n: int) -> int:
    return int(np.floor(0.27 * n + 0.5))  # round(0.27 n), half away from zero (n > 0)


def _group_rates(totals: np.ndarray, items: np.ndarray, k: int, rng: np.random.Generator):
    """Per question: the mean and standard error over DRAWS random tie-breaks of the
    upper and the lower group's (k attempts) share correct."""
    n = len(totals)
    # Totals are whole numbers: a random fraction below 1 orders the tied attempts
    # at random and leaves every other order as it is.
    keys = totals[None, :] + rng.random((DRAWS, n))
    order = np.argsort(keys, axis=1)
    result = {}
    for name, chosen in (("upper", order[:, n - k :]), ("lower", order[:, :k])):
        rates = items[chosen].mean(axis=1)  # (DRAWS, questions)
        result[name] = (rates.mean(axis=0), rates.std(axis=0) / np.sqrt(DRAWS))
    return result


def test_group_rates_are_the_average_over_random_tie_breaks(sample_build):
    con = duckdb.connect(str(sample_build["database"]), read_only=True)
    stats = {row[0]: row[1:] for row in con.execute(STATS).fetchall()}
    rng = np.random.default_rng(20261205)
    checked, tied_at_cut, with_groups = 0, 0, 0
    failures = []
    for attempts, questions, totals, items in _quizzes(con).values():
        if not questions:
            continue
        k = _group_size(len(attempts))
        if k == 0:  # one attempt: no groups
            for question in questions:
                upper, lower, upper_n, lower_n = stats[question]
                assert upper is None and lower is None and upper_n == lower_n == 0
                checked += 1
            continue
        drawn = _group_rates(totals, items, k, rng)
        ordered = np.sort(totals)
        tied = ordered[-k] == ordered[-k - 1] or ordered[k - 1] == ordered[k]
        for j, question in enumerate(questions):
            upper, lower, upper_n, lower_n = stats[question]
            assert abs(upper_n - k) < 1e-6 and abs(lower_n - k) < 1e-6, question
            for name, found in (("upper", upper), ("lower", lower)):
                mean, error = drawn[name][0][j], drawn[name][1][j]
                if abs(found - mean) > 5 * error + 1e-9:
                    failures.append((question, name, found, mean, error))
            checked += 1
            with_groups += 1
            tied_at_cut += bool(tied)
    assert not failures, failures[:10]
    # Nearly every question with responses is checked, and ties at the cut are common
    # (so the test tells weights from any fixed order).
    assert checked >= 0.9 * len(stats), (checked, len(stats))
    assert tied_at_cut >= 0.25 * with_groups, (tied_at_cut, with_groups)
