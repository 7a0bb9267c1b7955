# Running: action scripts, events, the run's own errors.

cannot-read-script = cannot read the action script `{ $script }`
script-relative-help = the path is relative to the ruleset's folder: { $path }
not-a-script = `{ $script }` is not a script
not-a-script-help = name rhai scripts (`.rhai`); the file's text is not shown
script-does-not-compile = the action script `{ $script }` does not compile
script-error-detail = { $detail }
named-here = named here
set-needs-quoted-name = `set` needs the field's name in quotes
set-needs-quoted-name-label = the output gets a column for each field a script sets, so the name must be written out
script-named-here = script named here
script-error-at = customer { $customer }: { $script }
script-error-at-line = customer { $customer }: { $script } line { $line }
script-too-many-steps = stopped: the script took too many steps (an endless loop?)
script-too-deep = stopped: the script called itself too deeply
script-stopped = stopped: { $reason }
script-too-large = stopped: { $what } grew too large
script-failed = the script failed: { $reason }
script-output-limit = the script produced more than { $megabytes } MB of tasks, fields and text in one call
script-ran-too-long = the script ran for more than a second
render-no-field = render(): no field `{ $name }`
task-unknown-key = task(): unknown key `{ $key }`; the keys are { $keys }
task-needs-title = task(): a task needs a `title`
task-due-date = task(): `due` must be a date (e.g. as_of.add_days(2))
task-limit = task(): one call may make at most { $limit } tasks
script-date-out-of-range = the date is out of range
script-not-a-weekday = `{ $text }` is not a day of the week
script-not-a-date-format = `{ $text }` is not a date format
script-not-a-date = `{ $text }` is not a date
rules-do-not-fit = the rules do not fit the data:
cannot-read-events = cannot read the events `{ $file }`: { $reason }
cannot-write-results = cannot write the results: { $reason }
keep-columns-needs-csv = keeping the input's columns in CSV output needs CSV input; use --format json or ndjson
scripts-time-limit =
    the action scripts ran for more than { $seconds } s in all, the limit for one run; the run stopped and nothing was written
    help: look for a script that loops or does too much per customer, or raise the limit with --script-time-limit SECONDS
columns-clash =
    the results would have two columns named { $names }: the input's (or the id) and a segment, tag or script column; nothing was written
    help: put a prefix before the result columns, e.g. `--prefix seg_`, or rename the dimension
columns-clash-prefix =
    the results would have two columns named { $names }: the input's (or the id) and a segment, tag or script column; nothing was written
    help: choose another prefix than `{ $prefix }`, or rename the dimension
no-thread = cannot start any evaluating thread
duplicate-ids = { $count } customers have an id another customer has too ({ $examples })
duplicate-ids-help = each row keeps its own segments; check the export for repeated `{ $column }`
key-never-seen = no record has the key `{ $column }`; it was missing for everyone
cannot-watch = cannot watch files: { $reason }
cannot-start-reloader = cannot start the reloading thread: { $reason }
ruleset-now-empty = `{ $path }` now has no dimension and no tag
watcher-unavailable = the watcher is unavailable
cannot-watch-folder = cannot watch `{ $folder }`: { $reason }
sample-as-of-not-date = `# sample-as-of: { $text }` is not a date; write YYYY-MM-DD
sample-needs-as-of = a ruleset with `# sample-data:` needs `# sample-as-of: YYYY-MM-DD`
sample-failed = { $reason }
cannot-open-sample = cannot open the sample data `{ $path }`: { $reason }
overrides-unreadable = `{ $file }`: { $reason }
overrides-columns = `{ $file }` needs the columns id, dimension and segment (and may have reason and until); it has { $columns }
overrides-line-unreadable = `{ $file }`, line { $line }: { $reason }
overrides-until-not-date = `{ $file }`, line { $line }: `{ $text }` is not a date; write the last day the pin holds as YYYY-MM-DD
override-at = `{ $file }`, line { $line } ({ $id })
override-no-dimension = { $at }: no dimension `{ $dimension }`; the dimensions are { $dimensions }
override-no-segment = { $at }: `{ $dimension }` has no segment `{ $segment }`; its segments are { $segments }
override-ended = { $at }: the pin to `{ $segment }` ended on { $until }; it was not applied
override-unused = `{ $file }`, line { $line }: no customer `{ $id }` in the data; the pin was not applied
history-database = the history file: { $reason }
history-earlier = the history already has a run of { $latest }, later than this one ({ $as_of }); history is recorded forwards (to record again from a date, give --rewrite-from DATE: the runs from that date on are taken back)
history-newer = the history file has schema version { $version }, newer than this tradeseg knows ({ $known }); use a newer tradeseg
history-not-database = `{ $path }` is not a membership history: it is not an SQLite database. Nothing was written to it; give --history a new file name, or the history file tradeseg made
history-foreign = `{ $path }` is the SQLite database of something else (tables: { $tables }), not a membership history. Nothing was written to it; give --history a new file name, or the history file tradeseg made
history-damaged = its stays do not fit together (a customer number that is not in `customers`, or a number out of range); was it changed outside tradeseg?
not-a-date = `{ $text }` is not a date; write YYYY-MM-DD
explain-unreadable-cell = column `{ $column }`: `{ $value }` could not be read
near-miss-days = in { $days } { $days ->
        [one] day
       *[other] days
    } (`{ $condition }`: now { $now })
near-miss-needs = needs `{ $condition }`, has { $has }
column-gone = { $column } (gone)
column-new = { $column } (new)
lifecycle-needs-history = `on enter` and `on leave` need the membership history
lifecycle-needs-history-label = who enters and who leaves is known only against the previous run
lifecycle-needs-history-help = give `--history FILE.db` (created on the first run); nothing was read or written
lifecycle-baseline = history: the first run is a baseline, so no `on enter` or `on leave` script ran (give --initial-enter to have everyone enter)
rule-needs-history = `{ $name }` reads the membership history
