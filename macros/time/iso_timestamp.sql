{% macro iso_timestamp(text_expression) -%}
    {{ return(adapter.dispatch('iso_timestamp', 'user_behavior')(text_expression)) }}
{%- endmacro %}

{% macro default__iso_timestamp(text_expression) -%}
    {#- Expression: an ISO 8601 text ('2026-09-01T02:40:29Z') as a UTC
        timestamp: a text without an offset is UTC (the contract's rule), an
        explicit offset ('2026-09-01T04:40:29+02:00') is applied, as the
        loader does for the raw timestamp columns; null when it does not
        parse. Spark applies the offset in the session time zone, UTC
        (profiles.yml). A text whose fifth character is not the dash after a
        four-digit year ('294247-01-01T00:00:00Z', 'infinity') does not parse:
        such a time is beyond the calendar's years 1-9999, where the date
        arithmetic after it leaves DuckDB's range (Spark's cast reads years of
        more than four digits; both engines leave them out alike). -#}
    case
        when substr({{ text_expression }}, 5, 1) = '-'
            then {{ dbt.safe_cast(
                "replace(replace(" ~ text_expression ~ ", 'T', ' '), 'Z', '')",
                api.Column.translate_type('timestamp')
            ) }}
    end
{%- endmacro %}

{% macro duckdb__iso_timestamp(text_expression) -%}
    {#- DuckDB reads the 'T' and a 'Z' itself (the two replace calls cost 1.7 s
        per 15M steps), but a cast to TIMESTAMP drops an offset without
        applying it: a text with a sign after its 19th character (the
        date's own dashes come before) goes through TIMESTAMPTZ and back to
        UTC, which with an explicit offset does not depend on the session's
        TimeZone. A text ending in 'Z' (UTC, the app's usual form) cannot
        carry an offset and skips the sign check: 0.99 against 1.62 s per
        15M steps on one thread, a plain cast 0.90 s
        (bench/profile-2026-12-05e.md). A text without a four-digit year does
        not parse, as in default__iso_timestamp. -#}
    case
        when substr({{ text_expression }}, 5, 1) <> '-' then null
        when ends_with({{ text_expression }}, 'Z')
            then try_cast({{ text_expression }} as timestamp)
        when
            strpos(substr({{ text_expression }}, 20), '+') > 0
            or strpos(substr({{ text_expression }}, 20), '-') > 0
            then try_cast({{ text_expression }} as timestamptz) at time zone 'UTC'
        else try_cast({{ text_expression }} as timestamp)
    end
{%- endmacro %}
