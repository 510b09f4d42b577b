"""`behavior bench` (`make bench`): the benchmark, one module per part.

- command: the `behavior bench` command: each size's steps, their repetitions;
- plan: sizes, options, the dbt flags of `make daily`, the history-growth data sets;
- results: what was measured, and the results file written from it;
- measure: the wrapper process that times one command and samples its peak memory;
- split: a generated data set cut into its history and its new day;
- plain: the models' compiled SQL run in one DuckDB connection, without dbt (dbt run / plain SQL);
- core: the seven core outputs written by hand, as DuckDB SQL (floor) and as a
  vectorized pandas script, and the check of both against the marts.

This file imports nothing: the bench runs `python -m behavior.bench.<module>` in timed
processes, which import this package first.
"""
