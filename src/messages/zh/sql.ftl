# `tradeseg sql`：无法写成 SQL 的内容，以及此命令自己的提示。

sql-division =
    { $dialect ->
        [spark] spark 无法精确地做除法：它的小数商只在被除数小于 10^14 时保留十二位小数
       *[other] { $dialect } 无法精确地做除法：它的小数除法得到的是二进制浮点数
    }
sql-division-label = 这个除法
sql-division-help = 请用 `tradeseg run` 运行此规则集，或编译为 PostgreSQL（`--dialect postgres`），其 NUMERIC 类型能精确地做除法
sql-history = `previous(…)` 和 `days_in(…)` 读取的是分组历史，而数据库中没有它
sql-history-help = 请用 `tradeseg run --history 文件.db` 运行此规则集
sql-no-event-table = 规则读取事件流 `{ $stream }`，但没有为它指定表
sql-no-event-table-help = 请指定它的表：`--events { $stream }=表名`
sql-actions-not-run = 注意：规则集的动作脚本不是 SQL，不在查询中；请用 `tradeseg run` 在查询结果上运行它们（见 docs/scale.md）
sql-spark-beyond-range = tradeseg：有数值超出了此查询在 Spark 中能精确计算的范围（见 docs/scale.md）
sql-spark-decimal-rules = tradeseg：此查询在 Spark 默认的小数规则下才精确；请设置 spark.sql.decimalOperations.allowPrecisionLoss=true
