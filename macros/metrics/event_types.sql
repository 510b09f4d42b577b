{% macro course_interaction_types() -%}
    {#- The course interaction types of the contract (behavior.contract
        INTERACTION_EVENT_TYPES; staging's accepted values): the stream's
        names for them (fct_user_events), and what rpt_data_quality counts a
        type outside of. -#}
    {{ return([
        'course_click', 'wishlist_add', 'wishlist_remove', 'cart_add',
        'cart_remove', 'purchase_attempt', 'module_start', 'module_complete',
        'progress_update',
    ]) }}
{%- endmacro %}

{% macro commerce_event_types() -%}
    {#- The commerce event types of the contract (behavior.contract). -#}
    {{ return([
        'cart_add', 'purchase_attempt', 'transaction_completed', 'refund',
    ]) }}
{%- endmacro %}

{% macro sql_values(values) -%}
    {#- A Jinja list of strings as SQL literals: 'a', 'b'. -#}
    '{{ values | join("', '") }}'
{%- endmacro %}
