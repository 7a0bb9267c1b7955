# `tradeseg sql`: what cannot be written as SQL, and the command's own lines.

sql-division =
    { $dialect ->
        [spark] spark cannot divide exactly: its decimal quotient keeps twelve decimals only for dividends below 10^14
       *[other] { $dialect } cannot divide exactly: its decimal division gives a binary floating-point number
    }
sql-division-label = this division
sql-division-help = run this ruleset with `tradeseg run`, or compile it for PostgreSQL (`--dialect postgres`), whose NUMERIC divides exactly
sql-history = `previous(…)` and `days_in(…)` read the membership history, which is not in the database
sql-history-help = run this ruleset with `tradeseg run --history FILE.db`
sql-no-event-table = the rules read the event stream `{ $stream }`, and no table was given for it
sql-no-event-table-help = name its table: `--events { $stream }=TABLE`
sql-actions-not-run = note: the ruleset's action scripts are not SQL and are not in the query; run them over its results with `tradeseg run` (docs/scale.md)
sql-spark-beyond-range = tradeseg: a number is beyond the range this query computes exactly in Spark (docs/scale.md)
sql-spark-decimal-rules = tradeseg: this query is exact under Spark's default decimal rules; set spark.sql.decimalOperations.allowPrecisionLoss=true
