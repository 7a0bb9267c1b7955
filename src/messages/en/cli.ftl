# The command line: summaries, progress, and the commands' own errors.

count-action-error = { $count ->
        [one] 1 action error
       *[other] { $count } action errors
    }
count-bad-event = { $count ->
        [one] 1 bad event
       *[other] { $count } bad events
    }
count-bad-or-unmatched-event = { $count ->
        [one] 1 bad or unmatched event
       *[other] { $count } bad or unmatched events
    }
count-customer-id = { $count ->
        [one] 1 customer id
       *[other] { $count } customer ids
    }
count-customer = { $count ->
        [one] 1 customer
       *[other] { $count } customers
    }
count-data-error = { $count ->
        [one] 1 data error
       *[other] { $count } data errors
    }
count-dimension = { $count ->
        [one] 1 dimension
       *[other] { $count } dimensions
    }
count-event = { $count ->
        [one] 1 event
       *[other] { $count } events
    }
count-field = { $count ->
        [one] 1 field
       *[other] { $count } fields
    }
count-file = { $count ->
        [one] 1 file
       *[other] { $count } files
    }
count-task = { $count ->
        [one] 1 follow-up task
       *[other] { $count } follow-up tasks
    }
count-record = { $count ->
        [one] 1 record
       *[other] { $count } records
    }
count-repeated-id = { $count ->
        [one] 1 repeated id
       *[other] { $count } repeated ids
    }
count-tag-change = { $count ->
        [one] 1 tag change
       *[other] { $count } tag changes
    }
count-tag = { $count ->
        [one] 1 tag
       *[other] { $count } tags
    }
line-warning = warning: { $message }
line-help = {"  "}help: { $message }
line-data-error = data error: { $error }
and-more = … and { $more } more
whole-rows = { $count ->
        [one] 1 whole row
       *[other] { $count } whole rows
    }
data-errors-counted-missing = { $errors } ({ $columns }); those cells counted as missing
records-unreadable = { $count ->
        [one] { $records } could not be read at all and has no output row
       *[other] { $records } could not be read at all and have no output row
    }
line-event-error = event error: { $stream } ({ $file }), { $error }
bad-events-left-out = { $events } in `{ $stream }`; they were left out
unknown-event-ids = `{ $stream }`: { $events } of { $ids } not in the customer data, not counted ({ $examples })
line-action-error = action error: { $error }
action-errors-went-on = { $errors }; those customers' scripts were stopped, the run went on
line-override = override: { $problem }
pinned-by-overrides = { $customers } pinned by overrides
events-read = events `{ $stream }`: { $events } read from { $file }
events-read-later = events `{ $stream }`: { $events } read from { $file }, { $later } dated after the as-of date and not counted
summary-head = { $customers }, as of { $as_of }
summary-none = (none)
summary-tags = tags
missing-per-field = missing values per field
change-move = { $column }: { $from } → { $to }: { $customers } ({ $examples })
change-column = column { $column }
change-new-customers = new customers: { $ids }
change-gone-customers = customers no longer there: { $ids }
line-error = error: { $message }
line-help-top = help: { $message }
events-arg-form = `--events { $spec }`: write NAME=FILE, e.g. --events orders=orders.csv
events-arg-twice = `--events { $stream }=…` is given twice; give each event stream one file
events-arg-twice-help = to read several files as one stream, put them into one file first
events-arg-unknown = `--events { $stream }=…` names no event stream of the ruleset
ruleset-reads-no-events = the ruleset reads no events
ruleset-declares = the ruleset declares { $streams }
role-data = the data
role-events = the events file of `{ $stream }`
role-ruleset = the ruleset
role-include = the included ruleset
role-script = the action script
clash-help = write the results to a file of their own; nothing was read or written
clash-input = { $output } `{ $output_path }` is the same file as { $input } `{ $input_path }`: writing it would destroy { $input }
clash-outputs = { $first } `{ $first_path }` and { $second } `{ $second_path }` are the same file: one would overwrite the other
delimiter-form = the delimiter is one ASCII character, e.g. `,` `;` or `tab`
ruleset-errors = { $count ->
        [one] 1 error in the ruleset; nothing was evaluated
       *[other] { $count } errors in the ruleset; nothing was evaluated
    }
check-ok = ok: { $dimensions }, { $tags }, { $fields }, { $files }
seconds-range = give a number of seconds from 1 to 86400
threads-range = give a number of threads from 1 to 1024 (0: one per core)
output-encoding-form = the output encoding is utf-8 or gbk
workbook-needs-file = a workbook is written to a file: give `-o results.xlsx`
note-tasks-unwritten = note: the actions made { $tasks }; write them with --plan FILE
cannot-write-file = cannot write `{ $path }`: { $reason }
cannot-read-overrides = cannot read the overrides `{ $path }`: { $reason }
rewrite-from-after-as-of = `--rewrite-from` is after the run's as-of date; give a date on or before it
history-earlier-help = nothing was read or written; give the run its own date with --as-of, or take back the runs from a date on with --rewrite-from DATE
history-not-recorded = the results were written, but the run was not recorded in `{ $path }`: { $reason }
recorded = recorded
recorded-again = recorded again
history-baseline = history: { $what } as of { $date } in `{ $file }`, the first run: { $customers } as a baseline
history-recorded = history: { $what } as of { $date } in `{ $file }`; moved since the last run: { $moved }; { $tags }
ruleset-does-not-fit = the ruleset does not fit the data's columns; nothing was evaluated
strict-refused = --strict: { $data }, { $actions }, { $events }, { $ids }; no results were written
workbook-option-not-workbook = `{ $option }` is for workbooks (.xlsx, .xls, .ods), and `{ $data }` is not one
cannot-open-data = cannot open the data `{ $data }`: { $reason }
cannot-read-data-file = cannot read the data `{ $data }`: { $reason }
stdin-workbook = standard input is a workbook; give the workbook's file name instead of `-`
data-is-markup = { $kind ->
        [html] `{ $data }` is a web page (HTML), as many CRMs save an "Excel" export, not a workbook or a CSV export
       *[other] `{ $data }` is an XML file (an Excel 2003 XML spreadsheet, perhaps), not a workbook or a CSV export
    }: open it in Excel and save it as an Excel workbook (.xlsx) or as CSV, then run again
file-problem = `{ $path }`: { $problem }
header-found-below = note: the header is row { $row } of sheet `{ $sheet }`; the rows above it were passed over as titles (choose another with --header-row N)
cannot-read-file = cannot read `{ $path }`: { $reason }
fmt-has-errors = `{ $path }` was left as it is: it has errors
fmt-would-change = formatting `{ $path }` would change more than its layout; it was left as it is
fmt-formatted = formatted { $path }
fmt-unformatted = { $files } not in the canonical layout; `tradeseg fmt` rewrites them
cannot-write = cannot write: { $reason }
explain-no-customer = no customer has { $column } `{ $id }` in `{ $data }`
explain-head = customer { $customer } ({ $at }), as of { $as_of }
explain-not-unique = note: the id is not unique: { $count ->
        [one] 1 more record has it
       *[other] { $count } more records have it
    } ({ $places }); this explains the first
explain-data-error = data error: { $error } (counted as missing)
explain-pinned = { $segment } (pinned by override: { $reason }; the rules gave { $rules })
explain-pinned-until = { $segment } (pinned by override: { $reason }, until { $until }; the rules gave { $rules })
explain-by-otherwise = { $segment } (otherwise: no segment above applied)
explain-no-segment = no segment (none applied, and the dimension has no otherwise)
explain-near-miss = near miss: { $near }
explain-is-missing = { $field } is missing
word-true = true
word-false = false
word-unknown = unknown
word-missing = missing
no-rulesets = no rulesets (*.seg) in `{ $path }`
test-fail-load = FAIL { $path }: the ruleset does not load (see above)
test-tally = { $passed } passed, { $failed } failed
test-ok = ok   { $what }
test-ok-stored = ok   { $what } (stored)
test-fail = FAIL { $what }
test-fail-snapshot = FAIL { $path } snapshot: { $problem }
test-fail-store = FAIL { $what }: cannot store the snapshot: { $reason }
test-fail-no-snapshot = FAIL { $what }: no snapshot yet; store it with `tradeseg test { $path } --accept`
test-fail-changed = FAIL { $what }: the results changed
test-accept-hint = accept them with `tradeseg test { $path } --accept`
watching = watching { $rules } and { $data } (Ctrl-C stops)
watch-rules-changed = the rules changed
watch-data-changed = the data changed
watch-rules-broken = the edited rules have errors; still using the previous rules
watch-failed = watching failed: { $reason }
watch-nobody-moved = nobody moved
watch-moved-heading = moved since the previous evaluation:
watch-rules-do-not-fit = the new rules do not fit the data; still using the previous rules
watch-data-unreadable = the data could not be read; keeping the previous results
watch-evaluated = evaluated in { $ms } ms
watch-written = results written to { $path }
cannot-read-results = cannot read the results `{ $path }`: { $reason }
diff-needs-data = to compare rulesets, give the data they run over: `tradeseg diff OLD.seg NEW.seg DATA`
diff-no-change = no customer would change
diff-tags = tags:
diff-only-new = only in the new results: { $ids }
diff-only-old = only in the old results: { $ids }
no-history-file = no history file `{ $path }`; `tradeseg run … --history FILE` makes one
history-no-customer = the history has no customer `{ $id }`
page-title = Customer groups
page-subtitle = As of { $as_of } · rules { $rules } · data { $data }
page-customers = customers
page-data-errors = data errors
page-tasks = follow-up tasks
page-pinned = pinned by overrides
page-others = { $count } more
page-chart = customers per segment
page-quality = Data quality
page-field = field
page-missing = missing
page-unreadable = unreadable cells
page-first-errors = The first data errors
page-movement = Who moved since { $file }
page-from = from
page-to = to
page-examples = customers
role-since = the earlier results
crosstab-unknown = `--crosstab` names { $names }, which the ruleset has no dimension of; its dimensions are { $dimensions }
crosstab-form = `--crosstab { $spec }`: write two dimensions, e.g. --crosstab region,stars
page-written = { $customers ->
        [one] report of 1 customer written to { $path }
       *[other] report of { $customers } customers written to { $path }
    }
page-moves-sheet = moves
page-headline = customers: **{ $customers }** · data errors: **{ $errors }**
