{% macro is_user_initiated_commerce_event(event_type_column='event_type') -%}
    {#- The commerce events a user sends (README "Active user / active day"):
        cart add, purchase attempt, completed transaction. Refunds are
        server-side, and a type outside the contract (a new backend event,
        a misspelling) is not known to be the user's: neither makes a user
        active nor enters the event stream. Such a type stays in staging,
        where stg_app__user_purchases__anomaly_checks counts it. -#}
    {{ event_type_column }} in ('cart_add', 'purchase_attempt', 'transaction_completed')
{%- endmacro %}
