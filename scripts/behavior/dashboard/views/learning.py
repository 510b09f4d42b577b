"""Learning: enrollments and completion, quiz attempts and pass rate per course, and the
module drop-off of the chosen courses."""

from __future__ import annotations

import streamlit as st

from behavior.dashboard import queries as q
from behavior.dashboard import ui

filters = ui.filters()
st.title("Learning")
found = ui.defs()
st.caption(f"{filters.start} to {filters.end}.")

st.subheader("Enrollments started in the range")
ui.not_applied("platform")
enrollments = ui.frame(q.enrollments_by_course(filters))
totals = ui.frame(q.enrollment_totals(filters)).iloc[0]
columns = st.columns(4)
columns[0].metric(
    "Enrollments",
    ui.fmt(totals["enrollments_count"], "count"),
    help=found.model("fct_course_enrollments"),
)
columns[1].metric(
    "Completed since",
    ui.fmt(totals["completed_count"], "count"),
    help=found.column("fct_course_enrollments", "is_completed"),
)
columns[2].metric(
    "Completion rate",
    ui.fmt(totals["completion_rate"], "rate"),
    help="Enrollments started in the range and completed since, over those started "
    "(the semantic layer's completion_rate: recent starts have had less time).",
)
columns[3].metric(
    "Stalled",
    ui.fmt(totals["stalled_count"], "count"),
    help=found.column("fct_course_enrollments", "is_stalled"),
)
ui.table(
    enrollments,
    "fct_course_enrollments",
    formats={"completion_rate": "percent"},
    key="enrollments",
)

st.subheader("Quiz attempts started in the range")
quizzes = ui.frame(q.quizzes_by_course(filters))
quiz = ui.frame(q.quiz_totals(filters)).iloc[0]
columns = st.columns(4)
columns[0].metric(
    "Quiz attempts",
    ui.fmt(quiz["attempts_count"], "count"),
    help=found.model("fct_quiz_attempts"),
)
columns[1].metric(
    "Submitted",
    ui.fmt(quiz["submitted_count"], "count"),
    help=found.column("fct_quiz_attempts", "is_abandoned"),
)
columns[2].metric(
    "Passed",
    ui.fmt(quiz["passed_count"], "count"),
    help=found.column("fct_quiz_attempts", "is_passed"),
)
columns[3].metric(
    "Pass rate",
    ui.fmt(quiz["pass_rate"], "rate"),
    help="Passed / submitted attempts with a pass mark (the semantic layer's quiz_pass_rate).",
)
ui.table(
    quizzes,
    "fct_quiz_attempts",
    formats={"pass_rate": "percent"},
    labels={
        "judged_count": "judged (submitted, with a pass mark)",
        "pass_rate": "pass rate (passed / judged)",
    },
    key="quizzes",
)
if len(quizzes):
    st.bar_chart(quizzes, x="course_id", y=["passed_count", "submitted_count"], stack=False)

st.subheader("Module drop-off (whole history)")
ui.not_applied("platform", "date range")
dropoff = ui.frame(q.module_dropoff(filters))
ui.table(
    dropoff,
    "fct_module_dropoff",
    formats={"reached_rate": "percent", "dropoff_rate": "percent"},
    key="dropoff",
)
ui.model_help("fct_module_dropoff")
