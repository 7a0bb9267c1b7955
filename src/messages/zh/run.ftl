# 运行：动作脚本、事件，以及运行本身的错误。

cannot-read-script = 无法读取动作脚本 `{ $script }`
script-relative-help = 路径相对于规则集所在的文件夹：{ $path }
not-a-script = `{ $script }` 不是脚本
not-a-script-help = rhai 脚本请以 `.rhai` 命名；这个文件的内容不会显示
script-does-not-compile = 动作脚本 `{ $script }` 无法编译
script-error-detail = { $detail }
named-here = 在这里指定
set-needs-quoted-name = `set` 的字段名要写在引号里
set-needs-quoted-name-label = 脚本设置的每个字段都会成为输出中的一列，所以字段名必须直接写出来
script-named-here = 脚本在这里指定
script-error-at = 客户 { $customer }：{ $script }
script-error-at-line = 客户 { $customer }：{ $script } 第 { $line } 行
script-too-many-steps = 已停止：脚本执行的步骤太多（是不是死循环？）
script-too-deep = 已停止：脚本自我调用的层数太深
script-stopped = 已停止：{ $reason }
script-too-large = 已停止：{ $what } 变得太大
script-failed = 脚本出错：{ $reason }
script-output-limit = 脚本在一次调用中生成的任务、字段和文本超过了 { $megabytes } MB
script-ran-too-long = 脚本运行超过了一秒
render-no-field = render()：没有字段 `{ $name }`
task-unknown-key = task()：未知的键 `{ $key }`；可用的键有 { $keys }
task-needs-title = task()：任务需要一个 `title`
task-due-date = task()：`due` 必须是日期（例如 as_of.add_days(2)）
task-limit = task()：一次调用最多生成 { $limit } 个任务
script-date-out-of-range = 日期超出了范围
script-not-a-weekday = `{ $text }` 不是星期几
script-not-a-date-format = `{ $text }` 不是日期格式
script-not-a-date = `{ $text }` 不是日期
rules-do-not-fit = 规则和数据对不上：
cannot-read-events = 无法读取事件文件 `{ $file }`：{ $reason }
cannot-write-results = 无法写出结果：{ $reason }
keep-columns-needs-csv = 要在 CSV 输出中保留输入的列，输入也必须是 CSV；请改用 --format json 或 ndjson
scripts-time-limit =
    动作脚本总共运行了 { $seconds } 秒以上，超过了一次运行的上限；运行已停止，没有写出任何结果
    提示：找找有没有陷入循环或对每个客户做得太多的脚本，或用 --script-time-limit 秒数 调高上限
columns-clash =
    结果里会有两列都叫 { $names }：一列是输入的（或编号），一列是分组、标签或脚本的；没有写出任何结果
    提示：给结果列加上前缀，例如 `--prefix seg_`，或给维度改名
columns-clash-prefix =
    结果里会有两列都叫 { $names }：一列是输入的（或编号），一列是分组、标签或脚本的；没有写出任何结果
    提示：换一个不同于 `{ $prefix }` 的前缀，或给维度改名
no-thread = 无法启动任何计算线程
duplicate-ids = 有 { $count } 个客户的编号和别的客户重复（{ $examples }）
duplicate-ids-help = 每一行都保留自己的分组结果；请检查导出文件里重复的 `{ $column }`
key-never-seen = 没有任何记录有 `{ $column }` 这个键；所有客户的这一项都算缺失
cannot-watch = 无法监视文件：{ $reason }
cannot-start-reloader = 无法启动重新加载的线程：{ $reason }
ruleset-now-empty = `{ $path }` 现在既没有维度也没有标签
watcher-unavailable = 文件监视器不可用
cannot-watch-folder = 无法监视 `{ $folder }`：{ $reason }
sample-as-of-not-date = `# sample-as-of: { $text }` 不是日期；请写成 YYYY-MM-DD
sample-needs-as-of = 写了 `# sample-data:` 的规则集还需要 `# sample-as-of: YYYY-MM-DD`
sample-failed = { $reason }
cannot-open-sample = 无法打开样本数据 `{ $path }`：{ $reason }
overrides-unreadable = `{ $file }`：{ $reason }
overrides-columns = `{ $file }` 需要 id、dimension 和 segment 三列（还可以有 reason 和 until）；它现在的列是 { $columns }
overrides-line-unreadable = `{ $file }` 第 { $line } 行：{ $reason }
overrides-until-not-date = `{ $file }` 第 { $line } 行：`{ $text }` 不是日期；请把指定分组的最后一天写成 YYYY-MM-DD
override-at = `{ $file }` 第 { $line } 行（{ $id }）
override-no-dimension = { $at }：没有维度 `{ $dimension }`；现有的维度是 { $dimensions }
override-no-segment = { $at }：`{ $dimension }` 里没有分组 `{ $segment }`；它的分组有 { $segments }
override-ended = { $at }：指定到 `{ $segment }` 的期限已于 { $until } 结束；没有生效
override-unused = `{ $file }` 第 { $line } 行：数据里没有客户 `{ $id }`；这条指定没有生效
history-database = 历史文件：{ $reason }
history-earlier = 历史里已经有一次 { $latest } 的运行，比这一次（{ $as_of }）晚；历史只能往后记录（要从某个日期起重新记录，请加 --rewrite-from 日期：从那天起的运行都会撤回）
history-newer = 历史文件的结构版本是 { $version }，比这个 tradeseg 认识的（{ $known }）新；请使用更新版本的 tradeseg
history-not-database = `{ $path }` 不是成员历史：它不是 SQLite 数据库。没有向它写入任何内容；请给 --history 一个新文件名，或 tradeseg 生成的历史文件
history-foreign = `{ $path }` 是别的程序的 SQLite 数据库（表：{ $tables }），不是成员历史。没有向它写入任何内容；请给 --history 一个新文件名，或 tradeseg 生成的历史文件
history-damaged = 它记录的停留对不上（有不在 `customers` 里的客户编号，或超出范围的数字）；是不是在 tradeseg 之外改过？
not-a-date = `{ $text }` 不是日期；请写成 YYYY-MM-DD
explain-unreadable-cell = `{ $column }` 列：`{ $value }` 无法读取
near-miss-days = 再过 { $days } 天（`{ $condition }`：现在是 { $now }）
near-miss-needs = 需要 `{ $condition }`，现在是 { $has }
column-gone = { $column }（已删除）
column-new = { $column }（新增）
lifecycle-needs-history = `on enter` 和 `on leave` 需要分组历史
lifecycle-needs-history-label = 只有和上一次运行比较，才知道谁进入、谁离开
lifecycle-needs-history-help = 请加上 `--history 文件.db`（第一次运行时会创建）；什么都没有读取或写出
lifecycle-baseline = 历史：第一次运行作为基线，所以 `on enter` 和 `on leave` 脚本都没有运行（加 --initial-enter 可让所有客户都算作进入）
rule-needs-history = `{ $name }` 要读取分组历史
