"""`behavior dashboard`: the interactive Streamlit dashboard over the serving file.

Pages: overview, engagement, learning, commerce, recommendations, at-risk users. Every
number comes from a mart or report table through SQL (`queries`); the Streamlit side
(`ui`, `app`, `views/`) only filters, caches and draws. Definitions shown on hover come
from the dbt manifest's model and column descriptions (`definitions`).
"""
