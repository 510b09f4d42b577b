"""The course catalog of the synthetic learning app and the planted effects.

The catalog is small (tens of courses), so it is built with plain Python from a
seeded generator. It also keeps the internal knobs the simulation needs and the
raw tables never show: course popularity and conversion, per-module drop-off,
per-question difficulty, discrimination, true answer and distractor weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from behavior import contract
from behavior.generate import formats as fmt

PLANTS = ("payment_failure_spike", "bad_answer_key", "wishlist_no_buy")

TOPICS = {
    "programming": ["Python", "JavaScript", "SQL", "Rust", "Go", "Web APIs", "Git"],
    "data": ["Data Analysis", "Statistics", "Machine Learning", "Data Visualization", "Pandas"],
    "design": ["UX Design", "Figma", "Typography", "Color Theory", "Product Design"],
    "business": ["Marketing", "Finance Basics", "Negotiation", "Project Management"],
    "language": ["Spanish", "German", "Japanese", "French", "Business English"],
    "math": ["Algebra", "Calculus", "Linear Algebra", "Probability", "Geometry"],
}
LEVEL_WORDS = {
    "beginner": "for Beginners",
    "intermediate": "in Practice",
    "advanced": "Masterclass",
}
MODULE_WORDS = [
    "Getting Started",
    "Core Ideas",
    "Hands-on Practice",
    "Common Pitfalls",
    "Going Deeper",
    "Real Projects",
    "Review",
    "Next Steps",
]
USD_PRICES = [9.99, 14.99, 19.99, 29.99, 39.99, 49.99, 79.99, 99.99, 149.99]
INR_PRICES = [399.0, 499.0, 799.0, 1299.0, 2499.0]
USD_RATE = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "INR": 0.012}


@dataclass
class Catalog:
    """Catalog rows plus the hidden parameters the simulation uses (numpy arrays)."""

    course_ids: list[str]
    price_cents: np.ndarray  # per course
    currency: np.ndarray  # code into contract.CURRENCIES
    price_usd: np.ndarray
    popularity: np.ndarray  # sums to 1
    conversion: np.ndarray  # multiplier on purchase probability
    wish_factor: np.ndarray  # multiplier on wishlist / cart probability
    module_start: np.ndarray  # first module index of each course
    module_count: np.ndarray
    module_ids: list[str]
    module_dropoff: np.ndarray  # per module: probability a learner stalls in it
    quiz_ids: list[str]  # quiz i belongs to module i
    pass_mark: np.ndarray  # per quiz
    question_start: np.ndarray  # per quiz
    question_count: np.ndarray  # per quiz
    question_ids: list[str]
    difficulty: np.ndarray  # per question (IRT b)
    discrimination: np.ndarray  # per question (IRT a)
    true_option: np.ndarray  # per question: the really right option (0-3)
    key_option: np.ndarray  # per question: what quiz_questions.correct_option says
    distractor_cdf: np.ndarray  # per question x 4: cumulative weights over wrong options
    tables: dict[str, pa.Table]


def build_catalog(rng: np.random.Generator, start_ts: int) -> Catalog:
    """Draw 12-20 courses with 4-8 ordered modules, one quiz each, 5-10 questions per quiz."""
    n_courses = int(rng.integers(12, 21))
    categories = rng.integers(0, len(contract.COURSE_CATEGORIES), n_courses)
    levels = rng.choice(3, n_courses, p=[0.45, 0.35, 0.2])
    currency = rng.choice(len(contract.CURRENCIES), n_courses, p=[0.75, 0.1, 0.07, 0.08])
    price = np.array([rng.choice(INR_PRICES if c == 3 else USD_PRICES) for c in currency])
    free = rng.choice(n_courses, 2, replace=False)
    price[free] = 0.0
    price_cents = np.round(price * 100).astype(np.int64)
    price_usd = price * np.array([USD_RATE[contract.CURRENCIES[c]] for c in currency])
    popularity = rng.lognormal(0.0, 0.6, n_courses)
    popularity /= popularity.sum()
    conversion = np.exp(rng.normal(0.0, 0.15, n_courses))
    wish_factor = np.exp(rng.normal(0.0, 0.12, n_courses))
    module_count = rng.integers(4, 9, n_courses)
    module_start = np.concatenate([[0], np.cumsum(module_count)[:-1]])
    n_modules = int(module_count.sum())
    # Most modules lose few learners, some (hard ones) many more.
    hard = rng.random(n_modules) < 0.2
    module_dropoff = np.where(
        hard, rng.uniform(0.2, 0.35, n_modules), rng.uniform(0.03, 0.1, n_modules)
    )
    question_count = rng.integers(5, 11, n_modules)
    question_start = np.concatenate([[0], np.cumsum(question_count)[:-1]])
    n_questions = int(question_count.sum())
    difficulty = rng.normal(0.0, 0.9, n_questions)
    discrimination = rng.uniform(0.9, 2.0, n_questions)
    true_option = rng.integers(0, 4, n_questions)
    weights = rng.dirichlet([1.0, 1.0, 1.0, 1.0], n_questions) + 0.02
    weights[np.arange(n_questions), true_option] = 0.0
    distractor_cdf = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    distractor_cdf[:, -1] = 1.0
    pass_mark = rng.choice([60.0, 65.0, 70.0, 75.0, 80.0], n_modules)

    course_ids = [f"c{i + 1:02d}" for i in range(n_courses)]
    titles, used = [], set()
    for i in range(n_courses):
        cat = contract.COURSE_CATEGORIES[categories[i]]
        options = [t for t in TOPICS[cat] if t not in used] or TOPICS[cat]
        topic = options[int(rng.integers(0, len(options)))]
        used.add(topic)
        titles.append(f"{topic} {LEVEL_WORDS[contract.DIFFICULTY_LEVELS[levels[i]]]}")
    published = start_ts - rng.integers(30, 720, n_courses) * fmt.SECONDS_PER_DAY
    published += rng.integers(0, fmt.SECONDS_PER_DAY, n_courses)
    module_ids = [f"m{i + 1:03d}" for i in range(n_modules)]
    module_course = np.repeat(np.arange(n_courses), module_count)
    module_pos = np.arange(n_modules) - module_start[module_course] + 1
    quiz_ids = [f"qz{i + 1:03d}" for i in range(n_modules)]
    question_ids = [f"qq{i + 1:04d}" for i in range(n_questions)]

    catalog = Catalog(
        course_ids=course_ids,
        price_cents=price_cents,
        currency=currency,
        price_usd=price_usd,
        popularity=popularity,
        conversion=conversion,
        wish_factor=wish_factor,
        module_start=module_start,
        module_count=module_count,
        module_ids=module_ids,
        module_dropoff=module_dropoff,
        quiz_ids=quiz_ids,
        pass_mark=pass_mark,
        question_start=question_start,
        question_count=question_count,
        question_ids=question_ids,
        difficulty=difficulty,
        discrimination=discrimination,
        true_option=true_option,
        key_option=true_option.copy(),
        distractor_cdf=distractor_cdf,
        tables={},
    )
    catalog.tables = {
        "courses": pa.table(
            {
                "course_id": course_ids,
                "course_title": titles,
                "category": fmt.labels(contract.COURSE_CATEGORIES, categories),
                "difficulty_level": fmt.labels(contract.DIFFICULTY_LEVELS, levels),
                "price_amount": fmt.money(price_cents),
                "currency": fmt.labels(contract.CURRENCIES, currency),
                "published_at": fmt.timestamps(published),
            }
        ),
        "modules": pa.table(
            {
                "module_id": module_ids,
                "course_id": [course_ids[c] for c in module_course],
                "module_position": pa.array(module_pos, pa.int32()),
                "module_title": [
                    f"{titles[c].split(' ')[0]} {p}: {MODULE_WORDS[(p - 1) % len(MODULE_WORDS)]}"
                    for c, p in zip(module_course.tolist(), module_pos.tolist(), strict=True)
                ],
                "estimated_minutes": pa.array(rng.integers(3, 19, n_modules) * 5, pa.int32()),
            }
        ),
        "quizzes": pa.table(
            {
                "quiz_id": quiz_ids,
                "module_id": module_ids,
                "quiz_title": [f"Quiz {q + 1}" for q in range(n_modules)],
                "pass_mark_percent": pass_mark,
            }
        ),
    }
    return catalog


def question_table(catalog: Catalog) -> pa.Table:
    """quiz_questions rows; built after planting so the answer key reflects `bad_answer_key`."""
    quiz = np.repeat(np.arange(len(catalog.quiz_ids)), catalog.question_count)
    pos = np.arange(len(quiz)) - catalog.question_start[quiz] + 1
    return pa.table(
        {
            "question_id": catalog.question_ids,
            "quiz_id": [catalog.quiz_ids[q] for q in quiz],
            "question_position": pa.array(pos, pa.int32()),
            "question_text": [
                f"Question {p} of quiz {q + 1}: which statement is right?"
                for q, p in zip(quiz.tolist(), pos.tolist(), strict=True)
            ],
            "correct_option": fmt.labels(contract.QUIZ_OPTIONS, catalog.key_option),
        }
    )


@dataclass
class Plants:
    """Planted effects, resolved to entities. None = not planted."""

    spike_method: int | None = None
    spike_platform: int | None = None
    spike_from_ts: int = 0
    spike_fail_rate: float = 0.6
    no_buy_course: int | None = None
    bad_question: int | None = None


def plant(
    catalog: Catalog, names: set[str], start_ts: int, days: int
) -> tuple[Plants, dict[str, dict]]:
    """Resolve planted effects on the catalog; returns the plants and their manifest entries."""
    plants = Plants()
    manifest: dict[str, dict] = {}
    ranked = np.argsort(-catalog.popularity, kind="stable")
    if "payment_failure_spike" in names:
        plants.spike_method = contract.PAYMENT_METHODS.index("card")
        plants.spike_platform = contract.PLATFORMS.index("android")
        from_day = (2 * days) // 3
        plants.spike_from_ts = start_ts + from_day * fmt.SECONDS_PER_DAY
        manifest["payment_failure_spike"] = {
            "payment_method": "card",
            "platform": "android",
            "from_date": str(np.datetime64(plants.spike_from_ts, "s").astype("datetime64[D]")),
            "failure_rate": plants.spike_fail_rate,
            "baseline_failure_rate": float(BASE_FAILURE[plants.spike_method]),
        }
    if "wishlist_no_buy" in names:
        paid = [int(c) for c in ranked if catalog.price_cents[c] > 0]
        plants.no_buy_course = paid[1]
        manifest["wishlist_no_buy"] = {
            "course_id": catalog.course_ids[plants.no_buy_course],
            "wishlist_add_probability": NO_BUY_WISH,
            "cart_add_probability_after_wishlist": NO_BUY_CART,
            "purchase_probability_after_cart": NO_BUY_PURCHASE,
        }
    if "bad_answer_key" in names:
        # The early modules of the most popular free course get the most quiz attempts;
        # of its first two quizzes take the longer one (a more reliable rest score).
        free = [int(c) for c in ranked if catalog.price_cents[c] == 0]
        first = int(catalog.module_start[free[0]])
        quiz = max((first, first + 1), key=lambda i: (catalog.question_count[i], -i))
        q = int(catalog.question_start[quiz]) + 1
        # Easy for the typical quiz taker, so the miskeyed answer mostly marks weaker
        # learners right: a clearly negative item-total correlation.
        catalog.difficulty[q] = -0.3
        catalog.discrimination[q] = 3.5
        true = int(catalog.true_option[q])
        wrong = (true + 1) % 4
        weights = np.full(4, 0.05)
        weights[true] = 0.0
        weights[wrong] = 0.9
        catalog.distractor_cdf[q] = np.cumsum(weights / weights.sum())
        catalog.distractor_cdf[q, -1] = 1.0
        catalog.key_option[q] = wrong
        plants.bad_question = q
        manifest["bad_answer_key"] = {
            "question_id": catalog.question_ids[q],
            "quiz_id": catalog.quiz_ids[quiz],
            "course_id": catalog.course_ids[free[0]],
            "listed_correct_option": contract.QUIZ_OPTIONS[wrong],
            "true_correct_option": contract.QUIZ_OPTIONS[true],
        }
    return plants, manifest


# Payment behaviour shared with the simulation (indexes follow contract.PAYMENT_METHODS:
# card, paypal, upi, apple_pay, google_pay, wallet).
BASE_FAILURE = np.array([0.09, 0.06, 0.14, 0.04, 0.07, 0.11])
METHOD_MIX = np.array(
    [
        [0.38, 0.12, 0.14, 0.0, 0.26, 0.10],  # android
        [0.36, 0.18, 0.0, 0.38, 0.0, 0.08],  # ios
        [0.58, 0.30, 0.04, 0.0, 0.0, 0.08],  # web
    ]
)
NO_BUY_WISH = 0.85
NO_BUY_CART = 0.8
NO_BUY_PURCHASE = 0.03
